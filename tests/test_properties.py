"""Properties over generated inputs (hypothesis): the loader never raises on any text, and any text
an entry may carry comes out of every output escaped for it: Markdown, Atom, BibTeX, JSON-LD."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dllm_atlas import render, site
from dllm_atlas.load import load_entry, load_taxonomy
from dllm_atlas.models import Paper

from .conftest import REAL_CATALOG
from .sitekit import index_of

TOPICS = frozenset(load_taxonomy(REAL_CATALOG)[0].topics())  # type: ignore[union-attr]
ENV = render.environment()
SETTINGS = site.SiteConfig(Path("docs"), "https://example.org/atlas/", None)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# YAML-ish text: structure characters and keys of entries, with arbitrary Unicode between them.
yamlish = st.lists(
    st.one_of(
        st.sampled_from(
            ["kind: paper\n", "title: ", "topics: [", "]", "\n", "  ", "- ", ": ", '"', "'", "&a ", "*a", "!!", "#"]
        ),
        st.text(max_size=20),
    ),
    max_size=30,
).map("".join)


@FAST
@given(text=st.one_of(st.text(max_size=400), yamlish), raw=st.binary(max_size=64))
def test_any_text_yields_an_entry_or_located_errors_never_an_exception(tmp_path_factory, text, raw):
    folder = tmp_path_factory.mktemp("prop")
    for name, data in (("a.yaml", text.encode("utf-8", "surrogatepass")), ("b.yaml", raw)):
        path = folder / name
        path.write_bytes(data)
        loaded, diags = load_entry(path, name, TOPICS)
        assert (loaded is None) == bool(diags)
        for d in diags:
            assert d.file == name and d.line >= 1 and d.column >= 1 and d.message


# What validation lets into a title (one line, no control or invisible characters, no HTML tag).
title_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=120).filter(
    lambda t: t.strip() and "\n" not in t
)


def _valid(title: str, summary: str) -> Paper | None:
    data = {
        "kind": "paper",
        "title": title,
        "date": "2025-02-14",
        "topics": ["theory"],
        "summary": summary,
        "added": "2026-11-26",
        "authors": [title],
    }
    try:
        return Paper.model_validate(data)
    except ValueError:
        return None


_UNESCAPED_MD = re.compile(r"(?<!\\)[\[\]`*_<>|{}#]")


@FAST
@given(title=title_text, summary=title_text.map(lambda t: (t + " padding to twenty chars")[:1200]))
def test_any_valid_text_is_escaped_in_every_output(title, summary):
    entry = _valid(title, summary)
    if entry is None:
        return
    # Markdown (README, topic pages, site pages): no active character left unescaped, no autolink.
    shown = render.md(entry.title)
    assert not _UNESCAPED_MD.search(re.sub(r"&(?:#[0-9]+|[a-z]+);", "", shown))  # character references are inert
    assert not re.search(r"(?i)\b(?:https?:|www\.)", shown)
    # Atom: the feed is well-formed and carries the title as written.
    index = index_of({"p": entry})
    pages = site.render_pages(index, ENV, SETTINGS, "", dt.date(2026, 12, 1))
    feed = ET.fromstring(pages["feed.xml"])
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert entry.title in titles
    # BibTeX: braces balance at every point, so no value can close its field early.
    depth = 0
    for ch in pages["catalog.bib"]:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    # JSON-LD and other JSON in HTML: no "<", ">" or "&" that could end a <script> element.
    encoded = ENV.from_string("{{ value | tojson }}").render(value={"name": entry.title, "about": entry.summary})
    assert not re.search(r"[<>&]", encoded)
    assert json.loads(encoded) == {"name": entry.title, "about": entry.summary}


def _by_events(text: str) -> object:
    import yaml

    from dllm_atlas import safeyaml

    lines = safeyaml._Lines(text)
    builder = safeyaml._Builder(lines)
    try:
        for event in yaml.parse(text, Loader=safeyaml._Loader):
            builder.feed(event)
    except safeyaml.YamlError as exc:
        return ("error", exc.message, exc.line, exc.column)
    except yaml.YAMLError:
        return "yaml error"
    return builder.root, builder.positions


@FAST
@given(text=yamlish.filter(lambda t: not any(c in t for c in "&*!")))
def test_the_composed_fast_path_reads_exactly_what_the_event_stream_reads(text):
    from dllm_atlas import safeyaml

    try:
        fast: object = safeyaml.parse(text)
    except safeyaml.YamlError as exc:
        fast = ("error", exc.message.split(" (")[0], exc.line, exc.column)
    slow = _by_events(text)
    if slow == "yaml error":  # libyaml's own complaint: parse reports it (located) through the event path
        assert isinstance(fast, tuple) and fast[0] == "error"
        return
    if isinstance(slow, tuple) and slow[0] == "error":
        slow = ("error", slow[1].split(" (")[0], slow[2], slow[3])
    assert fast == slow
