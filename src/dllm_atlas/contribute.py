"""Contributor tooling: an entry from an arXiv id, or a blank one to fill in.

``dllm-atlas add 2502.09992 https://arxiv.org/abs/2505.19223v2 …`` asks the arXiv API (see
:mod:`dllm_atlas.arxiv`) for each id and writes one draft per paper to
``catalog/papers/<id>.yaml`` with title, authors, date, arXiv id and link filled in; topics and the
summary are left marked ``TODO`` for the contributor, so the draft fails validation until they are
written. Ids already in the catalog are refused with the existing entry's path, and ids that
``catalog/exclusions.yaml`` excludes are skipped with its reason.

``dllm-atlas new model --id my-model`` writes a blank entry of any kind whose comments are the
field descriptions of the pydantic models, so the scaffold never drifts from the schema.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment
from pydantic import BaseModel

from . import drafts
from .arxiv import ArxivClient, ArxivError
from .arxivid import canonical_id
from .fsutil import write_atomic
from .load import Catalog
from .models import ENTRY_CLASSES, KIND_DIRS, SLUG_PATTERN


@dataclass
class AddReport:
    written: list[Path] = field(default_factory=list)
    present: list[tuple[str, str]] = field(default_factory=list)  # (arxiv id, existing entry path)
    unknown: list[str] = field(default_factory=list)  # ids arXiv does not know
    invalid: list[str] = field(default_factory=list)  # inputs that are not arXiv ids
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (arxiv id, reason) from exclusions.yaml
    not_fetched: list[str] = field(default_factory=list)  # ids whose batch the arXiv API failed
    error: str | None = None  # why, when it did

    @property
    def ok(self) -> bool:
        return not (self.invalid or self.present or self.unknown or self.excluded or self.not_fetched)


def _draft_for(record: Any, kind: str) -> drafts.Draft:
    draft = drafts.Draft(title=record.title, line=0, kind=kind, short_name=drafts.short_name_of(record.title))
    draft.authors = list(record.authors)
    draft.date = record.published
    draft.arxiv = record.id
    draft.links = {"paper": f"https://arxiv.org/abs/{record.id}"}
    if record.comment:
        draft.notes.append(f"arXiv comment: {' '.join(record.comment.split())[:200]}")
    if record.journal_ref:
        draft.notes.append(f"journal reference: {' '.join(record.journal_ref.split())[:200]} (set venue)")
    return draft


def add_from_arxiv(
    inputs: list[str],
    catalog: Catalog,
    kind: str,
    client: ArxivClient,
    env: Environment,
    today: dt.date,
    on_written: Callable[[Path], None] | None = None,
) -> AddReport:
    """Draft every new id among ``inputs``; what cannot be drafted is reported, never fatal to the
    others. Drafts are written batch by batch (``on_written`` hears of each at once), so a failure of
    the arXiv API keeps every draft of the batches before it."""
    report = AddReport()
    identities = catalog.identities()
    existing = {i.arxiv: i.display_path for i in identities if i.arxiv}
    ids: list[str] = []
    for text in inputs:
        try:
            arxiv_id = canonical_id(text)
        except ValueError:
            report.invalid.append(text)
            continue
        if arxiv_id in existing:
            report.present.append((arxiv_id, existing[arxiv_id]))
        elif arxiv_id in catalog.exclusions:
            report.excluded.append((arxiv_id, catalog.exclusions[arxiv_id].exclusion.reason))
        elif arxiv_id not in ids:
            ids.append(arxiv_id)
    template = env.get_template("draft_entry.yaml.j2")
    taken = set(catalog.entries) | set(catalog.failed_ids)
    answered: set[str] = set()
    try:
        for batch, records in client.batches(ids):
            answered.update(batch)
            report.unknown += [i for i in batch if i not in records]
            made, known = drafts.split_known([_draft_for(records[i], kind) for i in batch if i in records], identities)
            report.present += [(draft.arxiv or "", path) for draft, path in known]  # same title or link as a file
            drafts.assign_ids(made, taken)
            for draft in made:
                path = drafts.draft_path(catalog.root, draft)
                write_atomic(path, drafts.render_draft(template, draft, today, tool="add"))
                taken.add(draft.id)
                report.written.append(path)
                if on_written is not None:
                    on_written(path)
    except ArxivError as exc:
        report.not_fetched = [i for i in ids if i not in answered]
        report.error = str(exc)
    return report


def _shape(annotation: Any) -> str:
    text = repr(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"  # links, relations: written as a block of sub-fields
    return "list" if text.startswith("list[") else "dict" if text.startswith("dict[") else "scalar"


def field_docs(kind: str) -> list[dict[str, Any]]:
    """Each field of a kind's model: name, description, whether required, and its type's shape."""
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
                "subfields": [(n, f.description or "", repr(f.annotation).startswith("list[")) for n, f in sub.items()],
            }
        )
    return out


def scaffold(kind: str, entry_id: str, env: Environment, today: dt.date) -> str:
    if kind not in ENTRY_CLASSES:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(ENTRY_CLASSES)}")
    if not re.fullmatch(SLUG_PATTERN, entry_id):
        raise ValueError(f"id {entry_id!r} must be a lowercase slug ([a-z0-9][a-z0-9-]*)")
    return env.get_template("new_entry.yaml.j2").render(kind=kind, fields=field_docs(kind), today=today)


def scaffold_path(root: Path, kind: str, entry_id: str) -> Path:
    return root / KIND_DIRS[kind] / f"{entry_id}.yaml"
