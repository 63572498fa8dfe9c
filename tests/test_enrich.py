"""``dllm-atlas enrich`` and the activity data file: GitHub's GraphQL API and Hugging Face's API on
httpx mock transports (batches, variables, rate-limit answers, missing repositories and models),
waits on a fake clock, and the file left untouched without a token or network."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from dllm_atlas import activity, enrich
from dllm_atlas import cli as cli_module
from dllm_atlas.load import load_catalog

from .test_arxiv import FakeClock

PAPER = """\
kind: paper
title: "Paper {n}"
date: 2025-01-01
links:
  paper: https://example.org/{n}
  code: {code}
  {hf}
topics: [masked-diffusion]
summary: >-
  A paper written for the enrich tests.
added: 2026-11-26
"""


def write_entries(catalog, repos: list[str], hubs: list[str] | None = None) -> None:
    """Replace the fixture's entries with one paper per repository (and Hugging Face link)."""
    for path in catalog.root.glob("*/*.yaml"):
        path.unlink()
    hubs = hubs or []
    for n, repo in enumerate(repos):
        hf = f"huggingface: {hubs[n]}" if n < len(hubs) else ""
        catalog.write(f"papers/p{n}.yaml", PAPER.format(n=n, code=repo, hf=hf))


class GitHub:
    """A scripted GraphQL endpoint: answers each repository asked for from ``known``; ``script``
    makes the n-th request (1-based) answer differently."""

    def __init__(self, known: dict[str, dict], script: dict[int, httpx.Response] | None = None) -> None:
        self.known, self.script = known, script or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "huggingface.co":
            return httpx.Response(404)
        if len(self.requests) in self.script:
            return self.script[len(self.requests)]
        body = json.loads(request.content)
        variables = body["variables"]
        data: dict = {"rateLimit": {"remaining": 4999, "resetAt": "2026-12-01T01:00:00Z"}}
        errors = []
        for n in range(len(variables) // 2):
            key = f"{variables[f'o{n}']}/{variables[f'n{n}']}"
            data[f"r{n}"] = self.known.get(key)
            if key not in self.known:
                errors.append({"type": "NOT_FOUND", "path": [f"r{n}"], "message": f"Could not resolve {key}"})
        return httpx.Response(200, json={"data": data, **({"errors": errors} if errors else {})})


def repo(stars: int, pushed: str = "2026-11-20T10:00:00Z", archived: bool = False) -> dict:
    return {"stargazerCount": stars, "pushedAt": pushed, "isArchived": archived}


def enricher(handler, clock: FakeClock | None = None) -> tuple[enrich.Enricher, FakeClock, list]:
    clock = clock or FakeClock()
    waits: list = []
    client = enrich.Enricher(
        "t0ken",
        transport=httpx.MockTransport(handler),
        sleep=clock.sleep,
        clock=clock.clock,
        on_wait=lambda why, s: waits.append((why, s)),
    )
    return client, clock, waits


def test_owner_and_name_go_in_as_variables_never_into_the_query_text():
    query, variables = enrich.graphql_query(['evil"){x}/repo', "a/b"])
    assert variables == {"o0": 'evil"){x}', "n0": "repo", "o1": "a", "n1": "b"}
    assert "evil" not in query
    assert query.startswith("query($o0: String!, $n0: String!, $o1: String!, $n1: String!) { rateLimit")
    assert "r1: repository(owner: $o1, name: $n1) { stargazerCount pushedAt isArchived }" in query


def test_links_are_read_as_repositories_and_models():
    assert activity.github_key("https://github.com/ML-GSAI/LLaDA") == "ml-gsai/llada"
    assert activity.github_key("https://github.com/kuleshov-group/mdlm/tree/main/src") == "kuleshov-group/mdlm"
    assert activity.github_key("https://github.com/a/b.git") == "a/b"
    assert activity.github_key("https://gitlab.com/a/b") is None
    assert activity.huggingface_key("https://huggingface.co/GSAI-ML/LLaDA-8B-Instruct") == "gsai-ml/llada-8b-instruct"
    for not_a_model in ("datasets/x/y", "spaces/x/y", "collections/x/y-123", "papers/2502.09992", "GSAI-ML"):
        assert activity.huggingface_key(f"https://huggingface.co/{not_a_model}") is None


def test_repositories_are_read_in_batches_of_at_most_100_with_the_token(catalog):
    names = [f"https://github.com/org/r{n:03d}" for n in range(150)]
    write_entries(catalog, names)
    github = GitHub({f"org/r{n:03d}": repo(n) for n in range(150) if n != 7})
    client, _, _ = enricher(github)
    with client:
        result = enrich.enrich(load_catalog(catalog.root), client, dt.date(2026, 12, 1))
    posts = [r for r in github.requests if r.method == "POST"]
    assert [len(json.loads(r.content)["variables"]) // 2 for r in posts] == [100, 50]
    assert {r.headers["Authorization"] for r in posts} == {"bearer t0ken"}
    assert result.data.github["org/r149"] == activity.Repository(stars=149, pushed=dt.date(2026, 11, 20))
    assert "org/r007" not in result.data.github and result.missing == ["github:org/r007"]
    assert len(result.data.github) == 149 and result.data.taken == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    "limited",
    [
        httpx.Response(403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1060"}, text="limit"),
        httpx.Response(429, headers={"Retry-After": "60"}),
        httpx.Response(200, headers={"Retry-After": "60"}, json={"errors": [{"type": "RATE_LIMITED"}]}),
    ],
    ids=["primary-403-reset", "secondary-429-retry-after", "graphql-rate-limited"],
)
def test_a_short_rate_limit_is_waited_out(catalog, limited):
    write_entries(catalog, ["https://github.com/org/one"])
    github = GitHub({"org/one": repo(5)}, script={1: limited})
    client, clock, waits = enricher(github)  # the fake clock starts at 1000: the reset is 60 s away
    with client:
        result = enrich.enrich(load_catalog(catalog.root), client, dt.date(2026, 12, 1))
    assert clock.sleeps == [60.0] and len(waits) == 1 and "rate limited" in waits[0][0]
    assert result.data.github["org/one"].stars == 5


def test_a_long_rate_limit_or_a_refused_token_is_a_clear_error(catalog):
    write_entries(catalog, ["https://github.com/org/one"])
    long_wait = httpx.Response(403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4600"})
    client, clock, _ = enricher(GitHub({}, script={1: long_wait}))
    with (
        client,
        pytest.raises(enrich.EnrichError, match=r"rate limited \(HTTP 403\).*lifts in 3600 s: run again later"),
    ):
        enrich.enrich(load_catalog(catalog.root), client, dt.date(2026, 12, 1))
    assert clock.sleeps == []
    client, _, _ = enricher(GitHub({}, script={1: httpx.Response(401)}))
    with client, pytest.raises(enrich.EnrichError, match=r"GitHub refused the token \(HTTP 401\): check GITHUB_TOKEN"):
        enrich.enrich(load_catalog(catalog.root), client, dt.date(2026, 12, 1))


def test_models_are_read_from_the_hub_politely_and_missing_ones_listed(catalog):
    write_entries(
        catalog,
        ["https://github.com/org/a", "https://github.com/org/b", "https://github.com/org/c"],
        [
            "https://huggingface.co/GSAI-ML/LLaDA-8B",
            "https://huggingface.co/gone/model",
            "https://huggingface.co/datasets/x/y",
        ],
    )
    seen: list[str] = []
    throttled = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return GitHub({"org/a": repo(1), "org/b": repo(2), "org/c": repo(3)})(request)
        seen.append(request.url.path)
        if request.url.path == "/api/models/gsai-ml/llada-8b":
            throttled["n"] += 1
            if throttled["n"] == 1:
                return httpx.Response(429, headers={"Retry-After": "2"})
            return httpx.Response(200, json={"id": "GSAI-ML/LLaDA-8B", "downloads": 51234, "likes": 280})
        return httpx.Response(404, json={"error": "Repository not found"})

    client, clock, _ = enricher(handler)
    with client:
        result = enrich.enrich(load_catalog(catalog.root), client, dt.date(2026, 12, 1))
    assert seen == ["/api/models/gone/model", "/api/models/gsai-ml/llada-8b", "/api/models/gsai-ml/llada-8b"]
    assert result.data.huggingface == {"gsai-ml/llada-8b": activity.HubModel(downloads=51234, likes=280)}
    assert result.missing == ["huggingface:gone/model"]
    assert clock.sleeps == [enrich.HF_INTERVAL, 2.0]  # spacing, then the Retry-After (spacing met by it)


@pytest.fixture
def cli_enricher(monkeypatch):
    """The CLI's client on a mock transport (``handler`` set by the test) and a fake clock."""
    holder: dict = {}

    def make(token: str) -> enrich.Enricher:
        holder["token"] = token
        clock = FakeClock()
        return enrich.Enricher(
            token, transport=httpx.MockTransport(holder["handler"]), sleep=clock.sleep, clock=clock.clock
        )

    monkeypatch.setattr(cli_module, "_enricher", make)
    return holder


def test_the_command_writes_the_file_with_the_date_taken(catalog, cli, cli_enricher, monkeypatch, tmp_path):
    write_entries(catalog, ["https://github.com/org/a"], ["https://huggingface.co/org/m"])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return GitHub({"org/a": repo(42, "2025-06-01T00:00:00Z", archived=True)})(request)
        return httpx.Response(200, json={"downloads": 7, "likes": 3})

    cli_enricher["handler"] = handler
    monkeypatch.setenv("GITHUB_TOKEN", "abc")
    out = tmp_path / "data" / "activity.json"
    result = cli("enrich", "-o", str(out))
    assert result.code == 0, result.err
    assert result.out == f"wrote {out}: 1 repositories, 1 models (2 request(s), 0 not found)\n"
    assert cli_enricher["token"] == "abc"
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data == {
        "taken": dt.date.today().isoformat(),
        "github": {"org/a": {"stars": 42, "pushed": "2025-06-01", "archived": True}},
        "huggingface": {"org/m": {"downloads": 7, "likes": 3}},
    }
    assert activity.read(out) == activity.ActivityData.model_validate(data)


def test_without_a_token_or_network_the_file_is_left_untouched(catalog, cli, cli_enricher, monkeypatch, tmp_path):
    write_entries(catalog, ["https://github.com/org/a"])
    out = tmp_path / "activity.json"
    out.write_text('{"taken": "2026-01-01"}\n', encoding="utf-8")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = cli("enrich", "-o", str(out))
    assert result.code == 1
    assert "GITHUB_TOKEN is not set: GitHub's GraphQL API needs a token" in result.err
    assert f"{out} left untouched" in result.err

    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    cli_enricher["handler"] = offline
    monkeypatch.setenv("GITHUB_TOKEN", "abc")
    result = cli("enrich", "-o", str(out))
    assert result.code == 3
    assert (
        "cannot reach GitHub's GraphQL API at https://api.github.com/graphql (ConnectError: [Errno -3] "
        f"Temporary failure in name resolution); check the network; {out} left untouched (exit 3)"
    ) in result.err
    assert out.read_text(encoding="utf-8") == '{"taken": "2026-01-01"}\n'
    assert "Traceback" not in result.err


def test_a_malformed_data_file_is_a_located_error_and_a_missing_one_is_none(tmp_path):
    assert activity.read(tmp_path / "absent.json") is None
    bad = tmp_path / "activity.json"
    bad.write_text('{"taken": "2026-12-01",\n "github": {"a/b": {"stars": -1}}}', encoding="utf-8")
    with pytest.raises(activity.ActivityError, match=r"github\.a/b\.stars: Input should be greater than or equal to 0"):
        activity.read(bad)
    bad.write_text('{"taken": ', encoding="utf-8")
    with pytest.raises(activity.ActivityError, match=r"activity\.json:1:11: not JSON"):
        activity.read(bad)


def test_an_entry_shows_stale_and_archived_against_the_date_taken():
    from dllm_atlas.models import Links

    data = activity.ActivityData(
        taken=dt.date(2026, 12, 1),
        github={
            "a/old": activity.Repository(stars=3, pushed=dt.date(2025, 11, 30)),
            "a/new": activity.Repository(stars=9, pushed=dt.date(2025, 12, 1), archived=True),
        },
    )
    old = activity.of_entry(Links(code="https://github.com/A/old"), data)
    new = activity.of_entry(Links(code="https://github.com/a/new"), data)
    assert old is not None and old.stale and not old.archived and old.stars == 3
    assert new is not None and not new.stale and new.archived
    assert activity.of_entry(Links(code="https://github.com/a/unknown"), data) is None
    assert activity.of_entry(Links(code="https://github.com/a/old"), None) is None
