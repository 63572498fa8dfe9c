"""``import-markdown`` on one list per layout (tests/data/import/, written for these tests): titles,
dates with their precision, links by kind, arXiv ids, topics, and the located report of what was
skipped and which headings matched no topic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dllm_atlas.importer import TopicGuesser, is_label_title, parse_markdown
from dllm_atlas.importer.dates import find_date
from dllm_atlas.load import load_taxonomy

from .conftest import REAL_CATALOG

DATA = Path(__file__).parent / "data" / "import"


@pytest.fixture(scope="module")
def guesser() -> TopicGuesser:
    taxonomy, diags = load_taxonomy(REAL_CATALOG)
    assert taxonomy is not None, diags
    return TopicGuesser(taxonomy)


def parse(name: str, guesser: TopicGuesser):
    return parse_markdown((DATA / name).read_text(encoding="utf-8"), guesser)


def summary(result) -> dict[str, tuple]:
    """title → (line, date or None, precision, arXiv id, links, topics)."""
    return {
        d.title: (
            d.line,
            d.date and d.date.isoformat(),
            d.date_precision if d.date else None,
            d.arxiv,
            d.links,
            d.topics,
        )
        for d in result.drafts
    }


def reports(result) -> tuple[list, list]:
    return (
        [(s.line, s.reason) for s in result.skipped],
        [(u.line, u.heading, u.entries) for u in result.unmatched],
    )


def test_paragraph_entries_split_by_blank_lines_and_hard_breaks(guesser):
    result = parse("paragraphs.md", guesser)
    assert summary(result) == {
        "Kappa: Reusing Keys Across Denoising Steps": (
            7,
            "2025-03-07",
            "day",
            "2503.01111",
            {"paper": "https://arxiv.org/abs/2503.01111", "code": "https://github.com/kappa/kappa"},
            ["caching"],
        ),
        # two trailing spaces; "March 2025" is a month, kept as one
        "Lambda Cache for Masked Models": (
            10,
            "2025-03-01",
            "month",
            "2503.02222",
            {"paper": "https://arxiv.org/abs/2503.02222", "project": "https://lambda-cache.github.io/"},
            ["caching"],
        ),
        # a plain title line ending in a backslash, an HTML link to OpenReview
        "Mu: Plain Title Line Without Bold": (
            13,
            "2025-02-14",
            "day",
            None,
            {"paper": "https://openreview.net/forum?id=MuMuMu"},
            ["caching"],
        ),
        # two entries on one line, cut at <br>: the second has no date and gets none
        "Nu Sampler for Discrete Diffusion": (
            18,
            "2025-04-01",
            "month",
            "2504.03333",
            {"paper": "https://arxiv.org/abs/2504.03333"},
            [],
        ),
        "Xi Sampler for Discrete Diffusion": (
            18,
            None,
            None,
            "2504.04444",
            {"paper": "https://arxiv.org/abs/2504.04444"},
            [],
        ),
    }
    assert reports(result) == ([(20, "no link")], [(16, "Odd Corner Of The Field", 2)])


def test_date_first_lines_in_every_common_form(guesser):
    result = parse("date_first.md", guesser)
    got = {
        title: (line, date, precision, arxiv, topics)
        for title, (line, date, precision, arxiv, _, topics) in summary(result).items()
    }
    spec = ["speculative-decoding"]
    assert got == {
        "Omicron: Drafting With Small Diffusion Models": (5, "2025-02-14", "day", "2502.05555", spec),
        "Pi Verification for Parallel Drafts": (7, "2025-02-14", "day", "2502.06666", spec),
        "Rho: Tree Drafts for dLLMs": (8, "2025-02-01", "month", "2502.07777", spec),
        "Sigma: Lookahead Drafting in Diffusion Decoders": (9, "2025-02-01", "month", "2502.08888", spec),
        "Tau: Self-Speculation in Masked Models": (10, "2025-08-14", "day", "2508.09999", spec),
        "Upsilon: A Year Is Not A Date": (11, None, None, "2501.01010", spec),  # never invented
    }
    assert {d.title: d.short_name for d in result.drafts}["Rho: Tree Drafts for dLLMs"] == "Rho"
    assert reports(result) == ([], [])


def test_title_authors_venue_and_links_on_lines_of_one_paragraph(guesser):
    result = parse("authors_venue.md", guesser)
    rl = ["reinforcement-learning"]
    assert summary(result) == {
        "Phi: Policy Gradients for Masked Diffusion": (
            5,
            None,
            None,
            "2510.01212",
            {"paper": "https://arxiv.org/abs/2510.01212", "code": "https://github.com/phi/phi"},
            rl,
        ),
        # the description line after the links belongs to the entry, it is not one
        "Chi: Rewarding Every Denoising Step": (
            10,
            None,
            None,
            "2510.02323",
            {"paper": "https://arxiv.org/abs/2510.02323"},
            rl,
        ),
        "Psi: Group Relative Optimisation for dLLMs": (
            16,
            None,
            None,
            "2505.03434",
            {"paper": "https://arxiv.org/abs/2505.03434", "code": "https://github.com/psi/psi"},
            rl,
        ),
        "Omega Preference Tuning for Diffusion Text": (
            19,
            None,
            None,
            None,
            {"paper": "https://aclanthology.org/2025.acl-long.1/"},
            rl,
        ),
    }
    assert reports(result) == ([], [])


def test_html_tables_details_blocks_and_headings_as_titles(guesser):
    result = parse("html_details.md", guesser)
    assert summary(result) == {
        "Alef: Four-Bit Diffusion Language Models": (
            7,
            "2025-05-06",
            "day",
            "2505.11111",
            {"paper": "https://arxiv.org/abs/2505.11111", "code": "https://github.com/alef/alef"},
            ["quantization"],
        ),
        # a Hugging Face papers link is the paper, and gives the arXiv id
        "Bet: Low-Bit Caches for Masked Decoders": (
            12,
            "2025-06-01",
            "month",
            "2506.22222",
            {"paper": "https://arxiv.org/abs/2506.22222"},
            ["quantization"],
        ),
        # a <details> whose summary holds the entry: the stars badge is the code link, not a title
        "Gimel: A Survey of Diffusion Text Models": (
            17,
            "2025-09-02",
            "day",
            "2509.33333",
            {"paper": "https://arxiv.org/abs/2509.33333", "code": "https://github.com/gimel/awesome"},
            ["surveys"],
        ),
        # a <details> whose summary is a section name: a heading for what it holds
        "Dalet: Marks in the Unmasking Order": (
            32,
            None,
            None,
            "2509.44444",
            {"paper": "https://arxiv.org/abs/2509.44444"},
            ["watermarking"],
        ),
        # a heading that is the title, its links on the next line
        "Hei-7B: An Open Diffusion Model": (
            40,
            "2025-09-01",
            "month",
            "2509.55555",
            {
                "paper": "https://arxiv.org/abs/2509.55555",
                "huggingface": "https://huggingface.co/hei/hei-7b",
                "code": "https://github.com/hei/hei",
            },
            ["pretrained-models"],
        ),
        # a heading holding the paper link, completed by the paragraph under it
        "Vav: Linked Headings Are Entries": (
            42,
            "2025-09-03",
            "day",
            "2509.66666",
            {"paper": "https://arxiv.org/abs/2509.66666", "huggingface": "https://huggingface.co/vav/vav"},
            ["pretrained-models"],
        ),
    }
    kinds = {d.title: d.kind for d in result.drafts}
    assert kinds["Hei-7B: An Open Diffusion Model"] == "model"
    assert reports(result) == ([], [])


def test_links_in_every_form_badges_emoji_and_reference_links(guesser):
    result = parse("links_badges.md", guesser)
    theory = ["theory"]
    assert summary(result) == {
        "Zayin: Old-Style Ids Still Count": (
            7,
            None,
            None,
            "cs/0112017",
            {"paper": "https://arxiv.org/abs/cs/0112017"},
            theory,
        ),
        # the stars badge links the code; its image URL is no link
        "Het: Export Mirror PDF": (
            8,
            None,
            None,
            "2501.01234",
            {"paper": "https://arxiv.org/abs/2501.01234", "code": "https://github.com/het/het"},
            theory,
        ),
        # reference-style links, defined at the end of the list
        "Tet: HTML Pages on www": (
            9,
            None,
            None,
            "2501.05678",
            {"paper": "https://arxiv.org/abs/2501.05678", "code": "https://github.com/tet/tet"},
            theory,
        ),
        # a badge linking to arXiv is the paper link; the title is the bold text, not the badge's
        "Yod: A Badge Is Its Target's Link": (
            10,
            None,
            None,
            "2501.07777",
            {"paper": "https://arxiv.org/abs/2501.07777"},
            theory,
        ),
        # neither the code URL nor a badge image that spell an id give the entry an arXiv id
        "Kaf: A Code Link Cannot Lend Its Id": (
            11,
            None,
            None,
            None,
            {"code": "https://github.com/kaf/kaf-2501.08888", "project": "https://kaf.github.io/"},
            theory,
        ),
        "Lamed: Known By Its Text Only": (
            12,
            None,
            None,
            "2501.10101",
            {"paper": "https://arxiv.org/abs/2501.10101"},
            theory,
        ),
        "Mem: ACL Anthology Paper": (
            17,
            None,
            None,
            None,
            {"paper": "https://aclanthology.org/2024.acl-long.99/", "huggingface": "https://huggingface.co/mem/mem-1b"},
            [],
        ),
        "Nun: alphaXiv Page": (18, None, None, "2502.13131", {"paper": "https://arxiv.org/abs/2502.13131"}, []),
    }
    # the list's own stars badge and an entry of labels only are reported, never drafted as "Paper"
    assert reports(result) == (
        [(3, "no title found"), (13, "no title found")],
        [(15, "Something Nobody Files Under A Topic", 2)],
    )
    assert all(not is_label_title(d.title) for d in result.drafts)


def test_two_ids_for_one_entry_keep_the_paper_links_and_say_so(guesser):
    text = (
        "## Caching\n\n[1 Jan 2026] [Samekh: A Title Linked To One Paper](https://arxiv.org/abs/2601.00001)<br>\n"
        "[![arXiv](https://img.shields.io/badge/arXiv-b31b1b.svg)](https://arxiv.org/abs/2601.00002)\n"
    )
    (draft,) = parse_markdown(text, guesser).drafts
    assert (draft.title, draft.arxiv, draft.date, draft.date_precision) == (
        "Samekh: A Title Linked To One Paper",
        "2601.00001",
        dt.date(2026, 1, 1),
        "day",
    )
    assert "the entry also links arXiv 2601.00002; the id kept is its paper link's" in draft.notes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14 Feb 2025, x", ("2025-02-14", "day")),
        ("2025-2-14", ("2025-02-14", "day")),
        ("2025.02.14", ("2025-02-14", "day")),
        ("Feb 14th, 2025", ("2025-02-14", "day")),
        ("14 February 2025", ("2025-02-14", "day")),
        ("[08/14/2025] A", ("2025-08-14", "day")),
        ("2025.02", ("2025-02-01", "month")),
        ("2025-02 |", ("2025-02-01", "month")),
        ("Feb 2025", ("2025-02-01", "month")),
        ("Sept. 2024", ("2024-09-01", "month")),
        ("[06/2025] B", ("2025-06-01", "month")),
        ("**Venue** 2024 Feb", ("2024-02-01", "month")),
        ("ICLR 2024", None),
        ("arXiv 2502.09992", None),
        ("2025.13", None),
        ("May be 2025", None),
        ("2025-02-30", None),
    ],
)
def test_dates_keep_their_precision_and_are_never_invented(text, expected):
    found = find_date(text)
    assert (found and (found.date.isoformat(), found.precision)) == expected


@pytest.mark.parametrize(
    ("title", "is_label"),
    [
        ("", True),
        (None, True),
        ("Paper", True),
        ("[Code]", True),
        ("📄 PDF", True),
        ("arXiv 2025", True),
        ("Paper | Code", True),
        ("arxiv:2505.18456", True),
        ("2502.09992v2", True),
        ("14 Feb 2025", True),
        ("2025.06", True),
        ("NeurIPS 2023", True),
        ("ML-GSAI/LLaDA", True),
        ("https://arxiv.org/abs/2502.09992", True),
        ("GitHub Stars", True),
        ("Large Language Diffusion Models", False),
        ("LLaDA", False),
        ("d1: Scaling Reasoning in Diffusion LLMs", False),
        ("Dream 7B", False),
    ],
)
def test_label_title_checker(title, is_label):
    assert is_label_title(title) is is_label


def test_cli_reports_skipped_lines_and_unmatched_headings_once(tmp_path, cli):
    out = tmp_path / "drafts"
    result = cli("import-markdown", str(DATA / "links_badges.md"), "-o", str(out), "--catalog", str(REAL_CATALOG))
    assert result.code == 0
    lines = result.out.splitlines()
    assert (
        "line 13: not parsed (no title found): [[Paper](https://arxiv.org/abs/2501.12121)] [[Code](https://github.com/x/y)]"
        in lines
    )
    assert [line for line in lines if "matched no topic;" in line] == [
        "line 15: heading 'Something Nobody Files Under A Topic' matched no topic; 2 entries under it need topics"
    ]
    assert lines[-1].startswith("8 work(s) found, ")
    assert lines[-1].endswith("2 line(s) not parsed, 1 heading(s) matched no topic")


def test_a_month_only_draft_is_written_with_date_precision_month(tmp_path, cli):
    source = tmp_path / "list.md"
    source.write_text(
        "## Caching\n\n- **Ayin Caches for Diffusion** (Mar 2025) [[arXiv](https://arxiv.org/abs/2503.09191)]\n"
    )
    out = tmp_path / "drafts"
    assert cli("import-markdown", str(source), "-o", str(out), "--catalog", str(REAL_CATALOG)).code == 0
    text = (out / "papers" / "ayin-caches-for-diffusion.yaml").read_text(encoding="utf-8")
    assert "\ndate: 2025-03-01\n" in text and '\ndate_precision: "month"\n' in text


def test_contents_links_and_rows_of_figures_are_not_entries_but_a_titled_row_without_links_is(guesser):
    text = (
        "# A list\n\n- [Caching](#caching)\n- [Why this list exists](#why)\n\n## Caching\n\n"
        "| Date | Title | Paper |\n|:-:|:-|:-:|\n"
        "| 2025.08 | Beth: Caching Without A Link Yet | — |\n"
        "| 2025.09 | Gimel: Caching With One | [pdf](https://arxiv.org/pdf/2509.12345) |\n\n"
        "| Model | Size | Score |\n|:-:|:-:|:-:|\n| Beth | 8B | 48.6 |\n"
    )
    result = parse_markdown(text, guesser)
    assert [(d.title, d.date.isoformat(), d.date_precision, d.arxiv) for d in result.drafts] == [
        ("Gimel: Caching With One", "2025-09-01", "month", "2509.12345")
    ]
    assert reports(result) == ([(10, "no link")], [])


def test_heading_paths_guess_topics_through_aliases_and_hard_breaks_separate_entries(guesser):
    text = (
        "## Efficient Inference\n\n### KV Cache\n\n"
        "Qof: Caching Denoised Keys  \n2025-06-02 [paper](https://arxiv.org/abs/2506.10101)  \n"
        "Resh: Caching Attention Maps  \n[paper](https://arxiv.org/abs/2506.20202) [code](https://github.com/r/r)\n\n"
        "### Tricks Nobody Named\n\n- **Shin: A Trick Under An Unknown Heading** [paper](https://arxiv.org/abs/2506.30303)\n"
    )
    result = parse_markdown(text, guesser)
    assert summary(result) == {
        "Qof: Caching Denoised Keys": (
            5,
            "2025-06-02",
            "day",
            "2506.10101",
            {"paper": "https://arxiv.org/abs/2506.10101"},
            ["caching"],
        ),
        "Resh: Caching Attention Maps": (
            7,
            None,
            None,
            "2506.20202",
            {"paper": "https://arxiv.org/abs/2506.20202", "code": "https://github.com/r/r"},
            ["caching"],
        ),
        # the deepest heading matches nothing; its parent's alias ("efficient inference") does
        "Shin: A Trick Under An Unknown Heading": (
            12,
            None,
            None,
            "2506.30303",
            {"paper": "https://arxiv.org/abs/2506.30303"},
            ["parallel-decoding"],
        ),
    }
    assert reports(result) == ([], [])


def test_a_work_listed_again_merges_into_its_first_listing_unless_the_ids_disagree(guesser):
    text = (
        "## Caching\n\n- **Tsadi: One Work** (Mar 2025) [arXiv](https://arxiv.org/abs/2503.00001)\n"
        "- **Qoph: Same Title, Other Id** [arXiv](https://arxiv.org/abs/2503.00002)\n\n"
        "## Quantization\n\n- **Tsadi: Listed Under Another Name** (14 Mar 2025) [arXiv](https://arxiv.org/abs/2503.00001)"
        " [code](https://github.com/t/t)\n"
        "- **Qoph: Same Title, Other Id** [arXiv](https://arxiv.org/abs/2503.00003)\n"
    )
    result = parse_markdown(text, guesser)
    assert result.merged == 1
    assert [(d.title, d.line, d.date and d.date.isoformat(), d.arxiv, d.links, d.topics) for d in result.drafts] == [
        # the second listing adds its topic, its code link and the more precise date
        (
            "Tsadi: One Work",
            3,
            "2025-03-14",
            "2503.00001",
            {"paper": "https://arxiv.org/abs/2503.00001", "code": "https://github.com/t/t"},
            ["caching", "quantization"],
        ),
        (
            "Qoph: Same Title, Other Id",
            4,
            None,
            "2503.00002",
            {"paper": "https://arxiv.org/abs/2503.00002"},
            ["caching"],
        ),
        (
            "Qoph: Same Title, Other Id",
            9,
            None,
            "2503.00003",
            {"paper": "https://arxiv.org/abs/2503.00003"},
            ["quantization"],
        ),
    ]
    assert result.drafts[0].date_precision == "day"
    assert result.drafts[2].notes == ["the title is also listed on line 4 with arXiv 2503.00002"]


def test_cli_prints_the_lists_text_with_control_characters_escaped(tmp_path, cli):
    source = tmp_path / "list.md"
    source.write_text(
        "## Odd \x1b[31mred\x1b[0m\n\n- A line of a list with no link at all \x1b[2J here\n", encoding="utf-8"
    )
    result = cli("import-markdown", str(source), "-o", str(tmp_path / "drafts"), "--catalog", str(REAL_CATALOG))
    assert "line 3: not parsed (no link): A line of a list with no link at all \\x1b[2J here" in result.out.splitlines()
    assert "\x1b" not in result.out
