"""``dllm-atlas discover``: the relevance rules on a labelled set, the search against a stand-in arXiv
API on 127.0.0.1 (paging, totals, versioned ids, wrapped titles, error feeds, a dropped connection),
the drafts and the review report. Waits are checked on a fake clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from dllm_atlas import cli as cli_module
from dllm_atlas import discover, render
from dllm_atlas.arxiv import MIN_INTERVAL, USER_AGENT, ArxivClient, ArxivError, ArxivRecord, parse_page
from dllm_atlas.load import load_catalog

from .arxivserver import Paper, arxiv_api, atom_entry, atom_feed
from .test_arxiv import FakeClock

ROOT = Path(__file__).resolve().parents[1]
RULES = discover.load_rules(ROOT / "data" / "discover-rules.yaml")
LABELLED = yaml.safe_load((ROOT / "tests" / "data" / "discover" / "candidates.yaml").read_text(encoding="utf-8"))


def record(title: str, abstract: str = "", arxiv_id: str = "2601.09999") -> ArxivRecord:
    return ArxivRecord(id=arxiv_id, title=title, authors=["A B"], published=dt.date(2026, 1, 10), summary=abstract)


# --- the rules on the labelled set ------------------------------------------------------------------


def test_the_labelled_set_has_forty_candidates_of_both_kinds_and_near_misses_of_each_family():
    assert len(LABELLED) >= 40
    assert len({c["id"] for c in LABELLED}) == len(LABELLED)
    dropped_titles = " ".join(c["title"].lower() for c in LABELLED if not c["keep"])
    for near_miss in ("image", "video", "speculative", "protein", "molecule", "speech"):
        assert near_miss in dropped_titles
    assert sum(c["keep"] for c in LABELLED) >= 20 and sum(not c["keep"] for c in LABELLED) >= 20


@pytest.mark.parametrize("case", LABELLED, ids=lambda c: f"{'keep' if c['keep'] else 'drop'}-{c['id']}")
def test_each_labelled_candidate_is_kept_or_dropped_as_labelled(case):
    scored = discover.score(record(case["title"], case["abstract"], case["id"]), RULES)
    assert scored.kept is case["keep"], [str(r) for r in scored.reasons]


def test_the_score_is_the_sum_of_its_reasons_and_title_terms_count_double():
    scored = discover.score(
        record("Variable-Length Generation for Diffusion Language Models", "The denoising steps grow the canvas."),
        RULES,
    )
    assert [str(r) for r in scored.reasons] == [
        '+12 "diffusion language model" (title)',
        '+2 "diffusion" (title)',
        '+2 "language model" (title)',
        '+1 "denoising" (abstract)',
    ]
    assert scored.score == 17 == sum(r.points for r in scored.reasons)


def test_negative_terms_count_only_when_the_text_is_not_about_language():
    image = discover.score(record("Masked Diffusion for Image Generation"), RULES)
    assert '-12 "image" (title)' in [str(r) for r in image.reasons] and not image.kept
    multimodal = discover.score(
        record("Image Understanding with a Diffusion Language Model", "It answers questions about images."), RULES
    )
    assert multimodal.about_language and multimodal.kept
    assert all(r.points > 0 for r in multimodal.reasons)


def test_family_names_are_case_sensitive_and_phrases_match_hyphens_and_plurals():
    assert not discover.score(record("Sweet dream: sleep and memory"), RULES).reasons
    assert discover.phrase_pattern("masked diffusion model").search("Masked-Diffusion Models work")
    assert not discover.phrase_pattern("LLaDA", case_sensitive=True).search("llada")
    assert not discover.phrase_pattern("diffusion").search("diffusional")


def test_a_bad_rules_file_is_a_located_error(tmp_path):
    text = (ROOT / "data" / "discover-rules.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "rules.yaml"
    bad.write_text(text.replace("{term: diffusion language model, weight: 6}", "{term: x, weight: -1}"), "utf-8")
    line = next(n for n, t in enumerate(bad.read_text("utf-8").splitlines(), 1) if "{term: x, weight: -1}" in t)
    with pytest.raises(discover.RulesError) as caught:
        discover.load_rules(bad)
    assert str(caught.value).startswith(f"{bad}:{line}:")
    assert "terms.0.weight: Input should be greater than 0" in str(caught.value)
    bad.write_text(text + "\nthreshhold: 3\n", "utf-8")
    with pytest.raises(discover.RulesError, match=r"threshhold: Extra inputs are not permitted"):
        discover.load_rules(bad)


def test_the_search_query_covers_title_and_abstract_the_categories_and_the_window():
    query = discover.search_query(RULES, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert 'ti:"diffusion language model" OR abs:"diffusion language model"' in query
    assert 'abs:"LLaDA"' in query and 'ti:"MDLM"' in query
    assert "(cat:cs.CL OR cat:cs.LG OR cat:cs.AI)" in query
    assert query.endswith("AND submittedDate:[202611010000 TO 202611302359]")


def test_topics_are_guessed_from_the_taxonomy_names_and_aliases_not_generic_ones():
    taxonomy = load_catalog(ROOT / "catalog").taxonomy
    assert taxonomy is not None
    text = "A masked diffusion models study of remasking. These models are open models."
    topics = discover.guess_topics(text, taxonomy, RULES.topic_alias_ignore)
    assert "masked-diffusion" in topics and "remasking" in topics
    assert "pretrained-models" not in topics  # "models" and "open models" are ignored aliases


# --- the feed ---------------------------------------------------------------------------------------


def test_a_search_page_reads_totals_versioned_ids_wrapped_titles_and_an_empty_last_page():
    paper = Paper(
        "2601.00007", "Block Diffusion Meets Speculative Decoding: Diffusion Drafters for Autoregressive LLMs"
    )
    text = atom_feed([atom_entry(paper)], "search_query=x", 41, 40, 1)
    assert "<title>Block Diffusion Meets Speculative Decoding: Diffusion\n  Drafters" in text  # wrapped
    page = parse_page(text, 40)
    assert page.total == 41 and [r.id for r in page.records] == ["2601.00007"]  # the v2 dropped
    assert page.records[0].title == paper.title and page.records[0].categories == ["cs.CL", "cs.LG"]
    end = parse_page(atom_feed([], "search_query=x", 41, 41, 0), 41)
    assert end.records == [] and end.total == 41  # past the end: the results ran out, no retry


# --- against the stand-in ---------------------------------------------------------------------------


def papers_between(first: dt.date, count: int, title: str = "Diffusion Language Models for Task {n}") -> list[Paper]:
    return [
        Paper(f"2601.{n:05d}", title.format(n=n), published=first + dt.timedelta(days=n)) for n in range(1, count + 1)
    ]


def fake_client(url: str, clock: FakeClock | None = None) -> tuple[ArxivClient, FakeClock, list[tuple]]:
    clock = clock or FakeClock()
    retries: list[tuple] = []
    client = ArxivClient(url, sleep=clock.sleep, clock=clock.clock, on_retry=lambda *a: retries.append(a))
    return client, clock, retries


def run_discover(catalog, url, tmp_path, since=dt.date(2026, 1, 1), until=dt.date(2026, 2, 28), page_size=2):
    client, clock, retries = fake_client(url)
    with client:
        report = discover.discover(
            load_catalog(catalog.root),
            RULES,
            client,
            render.environment(),
            since=since,
            until=until,
            out=tmp_path / "drafts",
            today=dt.date(2026, 3, 1),
            page_size=page_size,
        )
    return report, clock, retries


def test_discover_pages_newest_first_and_stops_at_since(catalog, tmp_path):
    papers = papers_between(dt.date(2025, 12, 25), 12)  # 2025-12-26 … 2026-01-06
    with arxiv_api(papers) as (url, seen):
        report, clock, _ = run_discover(catalog, url, tmp_path, since=dt.date(2026, 1, 3))
    starts = [(p["start"], p["max_results"]) for p in seen.params]
    assert starts == [("0", "2"), ("2", "2"), ("4", "2")]  # the page holding 2026-01-02 is the last asked
    assert all(p["sortBy"] == "submittedDate" and p["sortOrder"] == "descending" for p in seen.params)
    assert "submittedDate:[202601030000 TO 202602282359]" in seen.params[0]["search_query"]
    assert sorted(c.record.id for c in report.candidates) == [f"2601.{n:05d}" for n in range(9, 13)]
    assert report.total == 12 and report.fetched == 6
    assert set(seen.agents) == {USER_AGENT}
    assert clock.sleeps == [MIN_INTERVAL, MIN_INTERVAL]  # one request per 3 s, on the fake clock


def test_discover_reads_to_the_last_page_and_stops_on_the_total(catalog, tmp_path):
    with arxiv_api(papers_between(dt.date(2026, 1, 1), 5)) as (url, seen):
        report, _, _ = run_discover(catalog, url, tmp_path)
    assert [p["start"] for p in seen.params] == ["0", "2", "4"]  # 5 results: the third page holds one
    assert len(report.candidates) == 5


def test_what_the_catalog_holds_or_excludes_is_dropped_by_canonical_id(catalog, tmp_path):
    catalog.write(
        "exclusions.yaml",
        '- arxiv: "2601.00002"\n  title: "Image Diffusion"\n  reason: "image diffusion"\n',
    )
    papers = [
        Paper("2406.07524", "Simple and Effective Masked Diffusion Language Models", version=3),  # mdlm.yaml
        Paper("2601.00002", "Diffusion Language Models for Images", published=dt.date(2026, 1, 2)),
        Paper("2601.00003", "Large Language Diffusion Models", published=dt.date(2026, 1, 3)),  # llada's title
        Paper("2601.00004", "Remasking in Diffusion Language Models", published=dt.date(2026, 1, 4)),
    ]
    papers[0].published = dt.date(2026, 1, 1)
    with arxiv_api(papers) as (url, _):
        report, _, _ = run_discover(catalog, url, tmp_path, page_size=10)
    known = {r.id: why for r, why in report.known}
    assert known == {
        "2406.07524": "catalog/papers/mdlm.yaml",
        "2601.00002": "excluded: image diffusion",
        "2601.00003": "catalog/models/llada.yaml",
    }
    assert [c.record.id for c in report.candidates] == ["2601.00004"]


def test_kept_candidates_become_drafts_with_guessed_topics_marked_for_review(catalog, tmp_path, cli):
    papers = [
        Paper(
            "2601.00011",
            "Remasking Strategies for Masked Diffusion Language Models Across Many Long Benchmarks",
            "Which tokens should a sampler put back? We compare remasking rules of discrete diffusion on benchmarks.",
            authors=["Ada Lovelace", "Alan Turing"],
            published=dt.date(2026, 1, 11),
            comment="Accepted at ICLR 2026",
        ),
        Paper("2601.00012", "Latent Diffusion for Image Synthesis", "We make images.", published=dt.date(2026, 1, 12)),
    ]
    with arxiv_api(papers) as (url, _):
        report, _, _ = run_discover(catalog, url, tmp_path, page_size=10)
    assert [c.record.id for c in report.kept] == ["2601.00011"]
    assert [c.record.id for c in report.dropped] == ["2601.00012"]
    path = tmp_path / "drafts" / "papers" / "remasking-strategies-for-masked-diffusion-language.yaml"
    assert report.written == [path]
    text = path.read_text(encoding="utf-8")
    # The wrapped title comes back whole; the facts `add` fills are filled.
    assert 'title: "Remasking Strategies for Masked Diffusion Language Models Across Many Long Benchmarks"' in text
    assert 'arxiv: "2601.00011"' in text and "date: 2026-01-11" in text and 'venue: "ICLR 2026"' in text
    assert "topics: [masked-diffusion, remasking]" in text
    assert "# TODO: these topics were guessed from the abstract: keep those that fit" in text
    assert "# TODO: one or two sentences in your own words" in text  # the summary is the curator's
    assert '# NOTE: found by dllm-atlas discover, score 27: +12 "diffusion language model" (title)' in text
    assert "# DRAFT written by dllm-atlas discover" in text
    # A draft until a curator finishes it: validation refuses it, at the first marker.
    draft_catalog = tmp_path / "drafts"
    (draft_catalog / "taxonomy.yaml").write_bytes((catalog.root / "taxonomy.yaml").read_bytes())
    result = cli("validate", "--catalog", str(draft_catalog))
    assert result.code == 1 and "a draft marker is still here (# DRAFT written by dllm-atlas discover" in result.out


def test_the_review_report_explains_each_candidate_and_lists_the_rest_apart(catalog, tmp_path):
    papers = [
        Paper(
            "2601.00021",
            "Uncertainty | Calibration of *Masked* Diffusion Language Models",
            "Masked diffusion language models are over-confident. We fix it.",
            published=dt.date(2026, 1, 21),
        ),
        Paper(
            "2601.00022",
            "Speculative Decoding with Tree Attention for Large Language Models",
            "A draft model proposes a tree. The target verifies it.",
            published=dt.date(2026, 1, 22),
        ),
    ]
    with arxiv_api(papers) as (url, _):
        report, _, _ = run_discover(catalog, url, tmp_path, page_size=10)
    text = discover.render_report(report, render.environment())
    assert "**1 drafted**, 1 below the threshold" in text
    assert "- **Uncertainty &#124; Calibration of \\*Masked\\* Diffusion Language Models** ([arXiv 2601.00021]" in text
    # "*Masked* Diffusion" is not the phrase "masked diffusion": the terms are matched as written.
    assert (
        'Score **18**: +12 "diffusion language model" (title), +2 "masked diffusion" (abstract), '
        '+2 "diffusion" (title), +2 "language model" (title)\n'
    ) in text
    assert "  > Masked diffusion language models are over-confident.\n" in text  # first sentence only
    assert "### Below the threshold (1)" in text
    assert (
        '| 4 | Speculative Decoding with Tree Attention for Large Language Models ([2601.00022](https://arxiv.org/abs/2601.00022)) | +2 "large language model" (title), +2 "language model" (title) | A draft model proposes a tree. |'
        in text
    )


def test_an_error_feed_is_retried_with_backoff_and_a_persistent_one_gives_up_clearly(catalog, tmp_path):
    with arxiv_api(papers_between(dt.date(2026, 1, 1), 3), script={1: "error"}) as (url, seen):
        report, clock, retries = run_discover(catalog, url, tmp_path, page_size=10)
    assert report.error is None and len(report.candidates) == 3 and len(seen.params) == 2
    assert retries == [("arXiv answered with an error: max_results must be non-negative", 3.0, 2, 5)]
    assert clock.sleeps == [3.0]  # the backoff; the spacing is already met by it
    with arxiv_api([], script=dict.fromkeys(range(1, 6), "error")) as (url, seen):
        client, _, _ = fake_client(url)
        with pytest.raises(ArxivError, match=r"max_results must be non-negative \(gave up after 5 tries\)"):
            list(client.search("all:x"))


def test_a_503_waits_as_retry_after_says_and_an_empty_page_before_the_total_is_retried(catalog, tmp_path):
    with arxiv_api(papers_between(dt.date(2026, 1, 1), 4), script={1: "503", 3: "empty"}) as (url, seen):
        report, clock, retries = run_discover(catalog, url, tmp_path)
    assert [r[0] for r in retries] == ["HTTP 503", "the feed came back empty at 2 of 4 results"]
    assert clock.sleeps[0] == 7.0  # Retry-After: 7
    assert [p["start"] for p in seen.params] == ["0", "0", "2", "2"]
    assert len(report.candidates) == 4 and report.error is None


def test_a_network_failure_keeps_the_drafts_of_the_pages_before_it(catalog, tmp_path):
    with arxiv_api(papers_between(dt.date(2026, 1, 1), 4), script={2: "drop"}) as (url, _):
        report, _, _ = run_discover(catalog, url, tmp_path)
    assert report.error is not None and report.error.startswith(f"cannot reach the arXiv API at {url}")
    assert sorted(c.record.id for c in report.kept) == ["2601.00003", "2601.00004"]  # the first page
    assert len(report.written) == 2
    text = discover.render_report(report, render.environment())
    assert "> **The search stopped early:** cannot reach the arXiv API" in text


# --- the command ------------------------------------------------------------------------------------


@pytest.fixture
def patched_client(monkeypatch):
    """The CLI's arXiv client on a fake clock (the real one would wait 3 s between pages)."""
    clock = FakeClock()
    monkeypatch.setattr(cli_module, "_arxiv_client", lambda url: ArxivClient(url, sleep=clock.sleep, clock=clock.clock))
    return clock


def test_the_command_writes_drafts_and_the_report_and_prints_a_count(catalog, cli, patched_client, tmp_path):
    video = Paper("2601.00099", "Video Diffusion at Scale", "We generate video.", published=dt.date(2026, 1, 9))
    papers = [*papers_between(dt.date(2026, 1, 1), 3), video]
    with arxiv_api(papers) as (url, _):
        result = cli("discover", "--since", "2026-01-01", "--until", "2026-01-31", "--api-url", url,
                     "--rules", str(ROOT / "data" / "discover-rules.yaml"), "--report", "report.md")  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == (
        "3 candidate(s) drafted, 1 below the threshold, 0 already in the catalog or excluded "
        "(4 record(s) read, submitted 2026-01-01 to 2026-01-31)"
    )
    assert "wrote catalog/papers/diffusion-language-models-for-task-1.yaml" in result.out
    assert (catalog.root / "papers" / "diffusion-language-models-for-task-3.yaml").is_file()
    assert "### Below the threshold (1)" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_the_command_defaults_since_to_the_newest_catalog_date_minus_a_week(catalog, cli, patched_client):
    with arxiv_api([]) as (url, seen):
        result = cli("discover", "--api-url", url, "--until", "2026-01-31",
                     "--rules", str(ROOT / "data" / "discover-rules.yaml"))  # fmt: skip
    assert result.code == 0, result.err
    # The newest date of the test catalog is 2025-02-14 (llada.yaml).
    assert "submittedDate:[202502070000 TO 202601312359]" in seen.params[0]["search_query"]
    assert "0 candidate(s) drafted" in result.out


def test_the_command_exits_3_on_a_network_failure_after_writing_what_it_had(catalog, cli, patched_client):
    with arxiv_api(papers_between(dt.date(2026, 1, 1), 150), script={2: "drop"}) as (url, _):
        result = cli("discover", "--since", "2026-01-01", "--until", "2026-12-31", "--api-url", url,
                     "--rules", str(ROOT / "data" / "discover-rules.yaml"))  # fmt: skip
    assert result.code == 3
    assert "100 candidate(s) drafted" in result.out  # the first page of 100
    assert f"cannot reach the arXiv API at {url}" in result.err and "the drafts above are from the pages" in result.err
    assert "Traceback" not in result.err


def test_the_command_reports_a_bad_rules_file_and_a_reversed_window(catalog, cli, tmp_path):
    (tmp_path / "rules.yaml").write_text("threshold: 5\nsearch:\n  phrases: [dLLM]\n", encoding="utf-8")
    result = cli("discover", "--rules", str(tmp_path / "rules.yaml"))
    assert result.code == 1 and f"{tmp_path / 'rules.yaml'}:2:1: search.categories: Field required" in result.err
    result = cli("discover", "--since", "2026-02-01", "--until", "2026-01-01")
    assert result.code == 2 and "--since 2026-02-01 is after --until 2026-01-01" in result.err


def test_a_date_that_is_not_one_is_a_usage_error(catalog, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main(["discover", "--since", "yesterday"])
    assert exit_info.value.code == 2
    assert "'yesterday' is not a date: write YYYY-MM-DD" in capsys.readouterr().err
