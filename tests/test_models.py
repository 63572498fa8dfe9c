"""Schema rules that live in the pydantic models."""

from __future__ import annotations

import typing

import pytest
from pydantic import ValidationError

from dllm_atlas.models import MODALITIES, Model, Paper

BASE = {
    "kind": "paper",
    "title": "A Title",
    "date": "2025-01-02",
    "topics": ["masked-diffusion"],
    "summary": "A test entry: what it does and what it finds.",
    "added": "2026-11-26",
}


def errors(cls, **changes):
    with pytest.raises(ValidationError) as info:
        cls.model_validate({**BASE, **changes})
    return {(tuple(e["loc"]), e["msg"]) for e in info.value.errors()}


def test_minimal_paper_is_valid_and_keeps_url_as_written():
    paper = Paper.model_validate({**BASE, "links": {"code": "https://GitHub.com/a/b"}})
    assert paper.links.code == "https://GitHub.com/a/b"
    assert paper.date.isoformat() == "2025-01-02"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "ftp://x.org/a"])
def test_non_http_schemes_are_refused(url):
    assert (("links", "code"), "Value error, URL scheme must be http or https") in errors(Paper, links={"code": url})


def test_credentials_and_whitespace_in_urls_are_refused():
    assert any("credentials" in m for _, m in errors(Paper, links={"code": "https://u:p@x.org/"}))
    assert any("whitespace" in m for _, m in errors(Paper, links={"code": "https://x.org/a b"}))


def test_unknown_fields_are_errors_not_dropped():
    assert (("titel",), "Extra inputs are not permitted") in errors(Paper, titel="x")
    assert (("links", "githb"), "Extra inputs are not permitted") in errors(Paper, links={"githb": "https://x.org"})


def test_raw_html_is_refused_in_text_but_markdown_characters_are_fine():
    assert any("raw HTML" in m for _, m in errors(Paper, title="Hi <script>alert(1)</script>"))
    paper = Paper.model_validate({**BASE, "title": "Let [EOS] Lead the Way | a `b` *c* a < b"})
    assert paper.title == "Let [EOS] Lead the Way | a `b` *c* a < b"


@pytest.mark.parametrize("arxiv", ["2401.10100v2", "2401.101", "arXiv:2401.10100", "1234"])
def test_arxiv_ids_must_be_canonical(arxiv):
    assert any(loc == ("arxiv",) for loc, _ in errors(Paper, arxiv=arxiv))


def test_relations_and_topics_must_be_slugs_so_ids_cannot_leave_the_catalog():
    found = errors(Paper, relations={"builds_on": ["../../etc/passwd"]})
    assert any(loc == ("relations", "builds_on", 0) for loc, _ in found)
    assert any(loc == ("topics", 0) for loc, _ in errors(Paper, topics=["Not A Slug"]))


def test_topics_must_not_be_empty_or_repeat():
    assert any(loc == ("topics",) for loc, _ in errors(Paper, topics=[]))
    assert any("must not repeat" in m for _, m in errors(Paper, topics=["theory", "theory"]))


def test_model_fields_are_typed():
    model = Model.model_validate(
        {**BASE, "kind": "model", "parameters": ["16B-A1.4B", "8B"], "context_length": "4096", "open_weights": "true"}
    )
    assert model.context_length == 4096 and model.open_weights is True
    bad = errors(Model, kind="model", parameters=["eight billion"], training="magic")
    assert {loc for loc, _ in bad} >= {("parameters", 0), ("training",)}


def test_title_must_be_one_line():
    assert any("single line" in m for _, m in errors(Paper, title="two\nlines"))


def test_former_titles_and_unconfirmed_reasons_are_accepted():
    paper = Paper.model_validate(
        {**BASE, "former_titles": ["An Older Title"], "unconfirmed": {"authors": "no primary source lists them"}}
    )
    assert paper.former_titles == ["An Older Title"]
    assert paper.unconfirmed == {"authors": "no primary source lists them"}


def test_unconfirmed_names_only_empty_fields_of_the_entry():
    assert any(
        "'authors' has a value, so it is not unconfirmed" in m
        for _, m in errors(Paper, authors=["A. Author"], unconfirmed={"authors": "not found"})
    )
    assert any(
        "'parameters' is not a field that can be left unconfirmed" in m
        for _, m in errors(Paper, unconfirmed={"parameters": "a paper has no parameters"})
    )
    assert any("'title' is not a field" in m for _, m in errors(Paper, unconfirmed={"title": "x"}))
    model = Model.model_validate({**BASE, "kind": "model", "unconfirmed": {"context_length": "not stated"}})
    assert model.unconfirmed == {"context_length": "not stated"}


def test_a_kind_of_link_can_be_unconfirmed_only_while_it_is_missing():
    paper = Paper.model_validate({**BASE, "unconfirmed": {"code": "no official repository found"}})
    assert paper.unconfirmed == {"code": "no official repository found"}
    assert any(
        "links.code has a value, so it is not unconfirmed" in m
        for _, m in errors(Paper, links={"code": "https://github.com/a/b"}, unconfirmed={"code": "none"})
    )


def test_a_summary_is_required_unless_the_reason_it_is_missing_is_given():
    bare = {k: v for k, v in BASE.items() if k != "summary"}
    with pytest.raises(ValidationError) as info:
        Paper.model_validate(bare)
    (error,) = info.value.errors()
    assert error["type"] == "summary_missing" and "one or two sentences in your own words" in error["msg"]
    excused = Paper.model_validate({**bare, "unconfirmed": {"summary": "no copy of the paper is readable"}})
    assert excused.summary is None


def test_a_model_records_who_released_it_and_what_it_reads_or_writes():
    model = Model.model_validate(
        {
            **BASE,
            "kind": "model",
            "organization": "Renmin University of China and Ant Group",
            "modalities": ["text", "image"],
        }
    )
    assert model.organization == "Renmin University of China and Ant Group"
    assert model.modalities == ["text", "image"]
    bad = errors(Model, kind="model", modalities=["text", "smell"], organization="<b>Lab</b>")
    assert {loc for loc, _ in bad} >= {("modalities", 1), ("organization",)}
    assert any("must not repeat" in m for _, m in errors(Model, kind="model", modalities=["text", "text"]))


def test_organization_and_modalities_are_optional_and_need_no_reason_when_empty():
    model = Model.model_validate({**BASE, "kind": "model"})
    assert model.organization is None and model.modalities == []
    assert typing.get_args(typing.get_args(Model.model_fields["modalities"].annotation)[0]) == MODALITIES
