"""Drafts: entries a tool prepared for a curator to finish, and the rules every tool writes them by.

``dllm-atlas add`` (from arXiv records) and ``dllm-atlas import-markdown`` (from a list) both make
:class:`Draft` objects, then:

* :func:`split_known` drops drafts already in the catalog (same arXiv id, title or any link);
* :func:`split_excluded` drops papers that ``exclusions.yaml`` excludes;
* :func:`assign_ids` gives each draft a free id (its short name or the first words of its title);
* :func:`render_draft` writes it through ``templates/entry_file.yaml.j2``: every field of its kind
  with its description from the schema (as ``dllm-atlas new`` does), prefilled where the source
  knows it, the taxonomy's topic slugs beside ``topics``, and what is missing marked ``TODO`` so the
  draft fails validation until a curator completes it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment
from pydantic import BaseModel

from .check import normalise_title, normalise_url
from .load import Identity
from .models import ENTRY_CLASSES, KIND_DIRS, Taxonomy
from .render import LINK_LABELS


@dataclass
class Draft:
    title: str
    line: int
    kind: str = "paper"
    short_name: str | None = None
    date: dt.date | None = None
    date_precision: str = "day"  # "month" when the source gives only the month (date is its 1st)
    arxiv: str | None = None
    venue: str | None = None
    authors: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    id: str = ""


def short_name_of(title: str) -> str | None:
    if ":" in title:
        head, tail = title.split(":", 1)
        if len(head.split()) <= 3 and len(tail.split()) >= 2 and len(head) <= 40:
            return head.strip()
    return None


def slugify(text: str, max_words: int = 6) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    return "-".join(words[:max_words])[:60].strip("-") or "entry"


def assign_ids(drafts: list[Draft], taken: set[str]) -> None:
    used = set(taken)
    for draft in drafts:
        base = slugify(draft.short_name, 4) if draft.short_name else slugify(draft.title)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        draft.id = candidate
        used.add(candidate)


def draft_path(out: Path, draft: Draft) -> Path:
    return out / KIND_DIRS[draft.kind] / f"{draft.id}.yaml"


def split_known(drafts: list[Draft], identities: Iterable[Identity]) -> tuple[list[Draft], list[tuple[Draft, str]]]:
    """Separate drafts already in the catalog (same arXiv id, title or any link as an entry, or as a
    file that does not load yet) from new ones; each known draft comes with that file's path."""
    known: dict[str, str] = {}
    for identity in identities:
        keys = [f"title:{normalise_title(identity.title)}"] if identity.title else []
        keys += [f"url:{normalise_url(u)}" for u in identity.urls]
        keys += [f"arxiv:{identity.arxiv}"] * bool(identity.arxiv)
        for key in keys:
            known.setdefault(key, identity.display_path)
    fresh, present = [], []
    for draft in drafts:
        keys = [f"arxiv:{draft.arxiv}"] * bool(draft.arxiv) + [f"title:{normalise_title(draft.title)}"]
        keys += [f"url:{normalise_url(u)}" for u in draft.links.values()]
        existing = next((known[k] for k in keys if k in known), None)
        if existing:
            present.append((draft, existing))
        else:
            fresh.append(draft)
    return fresh, present


def split_excluded(drafts: list[Draft], exclusions: Mapping[str, Any]) -> tuple[list[Draft], list[tuple[Draft, str]]]:
    """Separate drafts whose arXiv id ``exclusions.yaml`` excludes (with the reason) from the rest."""
    kept, excluded = [], []
    for draft in drafts:
        if draft.arxiv and draft.arxiv in exclusions:
            excluded.append((draft, exclusions[draft.arxiv].exclusion.reason))
        else:
            kept.append(draft)
    return kept, excluded


def render_draft(
    env: Environment,
    draft: Draft,
    added: dt.date,
    tool: str = "import-markdown",
    taxonomy: Taxonomy | None = None,
    *,
    topics_guessed: bool = False,
) -> str:
    """A draft entry file: every field of its kind, prefilled with what the source knows. Topics a
    tool guessed (``topics_guessed``) carry a TODO line, so a curator reviews them."""
    order = list(LINK_LABELS)
    values: dict[str, Any] = {
        "title": draft.title,
        "short_name": draft.short_name,
        "authors": draft.authors,
        "date": draft.date,
        "date_precision": draft.date_precision,
        "venue": draft.venue,
        "arxiv": draft.arxiv,
        "links": dict(sorted(draft.links.items(), key=lambda kv: order.index(kv[0]))),
        "topics": draft.topics,
        "added": added,
        "topics_guessed": topics_guessed and bool(draft.topics),
    }
    return render_entry(env, draft.kind, values, tool=tool, notes=draft.notes, taxonomy=taxonomy)


def render_entry(
    env: Environment,
    kind: str,
    values: Mapping[str, Any],
    *,
    tool: str | None = None,
    notes: Iterable[str] = (),
    taxonomy: Taxonomy | None = None,
) -> str:
    """An entry file through ``templates/entry_file.yaml.j2``: blank (``new``) or a draft (``tool``)."""
    return env.get_template("entry_file.yaml.j2").render(
        kind=kind,
        fields=field_docs(kind),
        values=values,
        tool=tool,
        notes=list(notes),
        areas=taxonomy.areas if taxonomy is not None else [],
    )


def _shape(annotation: Any) -> str:
    text = repr(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"  # links, relations: written as a block of sub-fields
    return "list" if text.startswith("list[") else "dict" if text.startswith("dict[") else "scalar"


def field_docs(kind: str) -> list[dict[str, Any]]:
    """Each field of a kind's model: name, description, whether required, its type's shape, and its
    default when that is a plain value (``date_precision: day``), which a blank would not validate as."""
    out = []
    for name, info in ENTRY_CLASSES[kind].model_fields.items():
        if name == "kind":
            continue
        annotation = info.annotation
        sub = annotation.model_fields if isinstance(annotation, type) and issubclass(annotation, BaseModel) else {}
        out.append(
            {
                "name": name,
                "description": info.description or "",
                "required": info.is_required(),
                "shape": _shape(annotation),
                "default": info.default if isinstance(info.default, str | int | bool) else None,
                "subfields": [(n, f.description or "", repr(f.annotation).startswith("list[")) for n, f in sub.items()],
            }
        )
    return out
