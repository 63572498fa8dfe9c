"""Output: the awesome list inside ``README.md``.

``README.md`` is both the project's front page and the list. Everything between the markers
``<!-- dllm-atlas:begin -->`` and ``<!-- dllm-atlas:end -->`` is generated from the catalog through
``templates/readme_list.md.j2``; everything outside them is hand-written and kept byte for byte.

* :func:`render_list` renders the generated block from an index.
* :func:`splice` puts a block between the markers of a README text.
* ``dllm-atlas readme`` rewrites README.md (atomically); ``--check`` prints a short diff and exits 1
  when the file is stale. Rendering is deterministic: same catalog, same bytes.
"""

from __future__ import annotations

import difflib
from collections import Counter
from typing import Any

from jinja2 import Environment

from .index import Index

BEGIN = "<!-- dllm-atlas:begin -->"
END = "<!-- dllm-atlas:end -->"
DIFF_LINES = 40


class MarkerError(ValueError):
    """README.md lacks the markers, or has them more than once or out of order."""


def list_context(index: Index) -> dict[str, Any]:
    kinds = Counter(item.entry.kind for item in index.entries)
    areas = []
    for area in index.taxonomy.areas:
        topics = []
        for topic in area.topics:
            # Models and frameworks also have sections of their own, with their kind-specific facts;
            # they are listed under their topics too, so a topic section is complete.
            items = index.by_topic.get(topic.slug, [])
            if items:
                topics.append({"topic": topic, "entries": items})
        if topics:
            areas.append({"area": area, "topics": topics})
    return {
        "counts": {"total": len(index.entries), "kinds": sorted(kinds.items())},
        "models": index.of_kind("model"),
        "frameworks": index.of_kind("framework"),
        "areas": areas,
    }


def render_list(index: Index, env: Environment) -> str:
    return env.get_template("readme_list.md.j2").render(**list_context(index))


def _split(readme_text: str) -> tuple[str, str, str]:
    """(before the begin marker, between the markers, after the end marker)."""
    if readme_text.count(BEGIN) != 1 or readme_text.count(END) != 1:
        raise MarkerError(f"README.md must contain '{BEGIN}' and '{END}' exactly once each")
    head, rest = readme_text.split(BEGIN, 1)
    if END not in rest:
        raise MarkerError(f"'{END}' must come after '{BEGIN}'")
    block, tail = rest.split(END, 1)
    return head, block, tail


def splice(readme: str, block: str) -> str:
    """Replace what lies between the markers with ``block``; the rest stays byte for byte."""
    head, _, tail = _split(readme)
    return f"{head}{BEGIN}\n{block.strip()}\n{END}{tail}"


def generated_block(readme_text: str) -> str:
    """What lies between the markers."""
    return _split(readme_text)[1]


def short_diff(
    current: str, expected: str, name: str = "README.md", before: str = "on disk", after: str = "from catalog"
) -> str:
    lines = list(
        difflib.unified_diff(
            current.splitlines(), expected.splitlines(), f"{name} ({before})", f"{name} ({after})", lineterm="", n=1
        )
    )
    if len(lines) > DIFF_LINES:
        lines = [*lines[:DIFF_LINES], f"… {len(lines) - DIFF_LINES} more diff lines"]
    return "\n".join(lines)


def hand_edit(current: str, base: str, name: str = "README.md") -> str | None:
    """The diff of the generated list between a base README and this one, or None if it is the same.

    Raises :class:`MarkerError` if either lacks the markers.
    """
    mine, theirs = generated_block(current), generated_block(base)
    return None if mine == theirs else short_diff(theirs, mine, name, "base branch", "this change")
