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

from . import drafts
from .arxiv import ArxivClient, ArxivError
from .arxivid import canonical_id
from .fsutil import write_atomic
from .load import Catalog
from .models import ENTRY_CLASSES, KIND_DIRS, MAX_ID_LENGTH, SLUG_PATTERN, Taxonomy


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


_VENUES = {
    name.lower(): name
    for name in (
        "NeurIPS",
        "ICLR",
        "ICML",
        "ACL",
        "EMNLP",
        "NAACL",
        "EACL",
        "COLING",
        "COLM",
        "AAAI",
        "IJCAI",
        "CVPR",
        "ICCV",
        "ECCV",
        "KDD",
        "AISTATS",
        "UAI",
        "TMLR",
        "Interspeech",
        "ICASSP",
        "SIGIR",
        "WWW",
    )
}
# "Accepted at ICLR 2026", "to appear in Findings of EMNLP 2025", "NeurIPS 2025 camera-ready".
_ACCEPTED = re.compile(
    r"\b(?:accepted|to appear|camera[- ]ready|published)\b[^.;]{0,40}?"
    r"\b(?P<findings>findings of (?:the )?)?"
    rf"(?P<venue>{'|'.join(_VENUES)})\b\W{{0,3}}(?P<year>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_CAMERA_READY = re.compile(
    rf"\b(?P<venue>{'|'.join(_VENUES)})\W{{0,3}}(?P<year>(?:19|20)\d\d)\W+camera[- ]ready\b", re.IGNORECASE
)
_CODE_URL = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com)/[\w.-]+/[\w.-]+")


def venue_in_comment(comment: str) -> str | None:
    """The venue an arXiv comment says the paper was accepted at (``ICLR 2026``), or None: a
    submission ("under review") or a workshop is left for the curator, who has the comment as a note."""
    match = _ACCEPTED.search(comment) or _CAMERA_READY.search(comment)
    if match is None or "workshop" in match.group(0).lower() or "workshop" in comment.lower():
        return None
    findings = "Findings of " if match.groupdict().get("findings") else ""
    return f"{findings}{_VENUES[match.group('venue').lower()]} {match.group('year')}"


def code_in_comment(comment: str) -> str | None:
    """A GitHub or GitLab repository URL the arXiv comment gives (the authors' own code link)."""
    match = _CODE_URL.search(comment)
    return match.group(0).rstrip(".") if match else None


def draft_for(record: Any, kind: str) -> drafts.Draft:
    """A draft from an arXiv record: what ``add`` and ``discover`` write (venue and code from the comment)."""
    draft = drafts.Draft(title=record.title, line=0, kind=kind, short_name=drafts.short_name_of(record.title))
    draft.authors = list(record.authors)
    draft.date = record.published
    draft.arxiv = record.id
    draft.links = {"paper": f"https://arxiv.org/abs/{record.id}"}
    if record.comment:
        comment = " ".join(record.comment.split())
        draft.venue = venue_in_comment(comment)
        code = code_in_comment(comment)
        if code:
            draft.links["code"] = code
        filled = [name for name, value in (("venue", draft.venue), ("links.code", code)) if value]
        taken = f" ({' and '.join(filled)} taken from it: check)" if filled else ""
        draft.notes.append(f"arXiv comment{taken}: {comment[:200]}")
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
    entry_id: str | None = None,
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
    taken = set(catalog.entries) | set(catalog.failed_ids)
    answered: set[str] = set()
    try:
        for batch, records in client.batches(ids):
            answered.update(batch)
            report.unknown += [i for i in batch if i not in records]
            made, known = drafts.split_known([draft_for(records[i], kind) for i in batch if i in records], identities)
            report.present += [(draft.arxiv or "", path) for draft, path in known]  # same title or link as a file
            if entry_id is not None and made:
                made[0].id = entry_id  # one input with --id: the caller checked it is free and valid
            else:
                drafts.assign_ids(made, taken)
            for draft in made:
                path = drafts.draft_path(catalog.root, draft)
                write_atomic(path, drafts.render_draft(env, draft, today, "add", catalog.taxonomy))
                taken.add(draft.id)
                report.written.append(path)
                if on_written is not None:
                    on_written(path)
    except ArxivError as exc:
        report.not_fetched = [i for i in ids if i not in answered]
        report.error = str(exc)
    return report


def scaffold(kind: str, entry_id: str, env: Environment, today: dt.date, taxonomy: Taxonomy | None = None) -> str:
    if kind not in ENTRY_CLASSES:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(ENTRY_CLASSES)}")
    check_id(entry_id)
    return drafts.render_entry(env, kind, {"date_precision": "day", "added": today}, taxonomy=taxonomy)


def check_id(entry_id: str) -> None:
    """Raise ValueError unless ``entry_id`` is an id validation accepts."""
    if not re.fullmatch(SLUG_PATTERN, entry_id) or len(entry_id) > MAX_ID_LENGTH:
        raise ValueError(
            f"id {entry_id!r} must be a lowercase slug ([a-z0-9][a-z0-9-]*) of at most {MAX_ID_LENGTH} characters"
        )


def scaffold_path(root: Path, kind: str, entry_id: str) -> Path:
    return root / KIND_DIRS[kind] / f"{entry_id}.yaml"
