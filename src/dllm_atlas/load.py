"""Stage 1, load: catalog files on disk → typed entries with source positions.

Use :func:`load_catalog` with the catalog root (the folder holding ``taxonomy.yaml``)::

    catalog = load_catalog(Path("catalog"))
    catalog.entries["llada"].entry.title   # a validated pydantic model
    catalog.diagnostics                    # every problem found while loading, located

A long-running caller (``serve``) passes a :class:`LoadCache` kept between runs: files whose bytes
and taxonomy are unchanged are not parsed or validated again, so a one-file edit costs one file.

``catalog/exclusions.yaml`` (optional) lists arXiv papers judged out of scope, each with a reason;
they load into ``catalog.exclusions`` and the check stage refuses an entry for any of them.
``catalog/authors.yaml`` (optional) maps known variants of authors' names to one name
(:mod:`dllm_atlas.people`); it loads into ``catalog.author_aliases``.

Layout rules enforced here: entries live in ``<kind-plural>/<id>.yaml``; the file stem is the id, a
lowercase slug unique across the whole catalog; the ``kind`` field agrees with the folder; symbolic
links are refused so no file outside the catalog is read. Schema errors from pydantic, and topics
missing from the taxonomy (passed to the models as validation context), are mapped back to the line
and column of the offending key or list item.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .arxivid import canonical_id
from .diagnostics import Diagnostic
from .models import (
    DATE_FIELDS,
    ENTRY_CLASSES,
    KIND_DIRS,
    MAX_ID_LENGTH,
    SLUG_PATTERN,
    SUMMARY_MESSAGE,
    SUMMARY_MISSING,
    UNCONFIRMED_ERROR,
    Exclusion,
    Links,
    Taxonomy,
    summary_missing,
)
from .safeyaml import Positions, YamlError, decode, editor_lines, locate, parse

TAXONOMY_FILE = "taxonomy.yaml"
EXCLUSIONS_FILE = "exclusions.yaml"
AUTHORS_FILE = "authors.yaml"  # read by people.load_aliases
# Comment lines that `add` and `import-markdown` write into drafts for the curator to act on.
DRAFT_MARKERS = ("# TODO", "# DRAFT written by dllm-atlas")
_SLUG = re.compile(SLUG_PATTERN)
T = TypeVar("T")
_KIND_OF_DIR = {directory: kind for kind, directory in KIND_DIRS.items()}


@dataclass
class LoadedEntry:
    """An entry that passed the schema, with where it came from."""

    id: str
    path: Path
    display_path: str
    entry: Any  # one of the classes in models.ENTRY_CLASSES
    positions: Positions
    # A hash of the file's text: equal digests, equal entries (the site's incremental generation
    # keys rendered pages on them).
    digest: str = ""

    def where(self, *path: str | int) -> tuple[int, int]:
        return locate(self.positions, tuple(path))

    @cached_property
    def listed(self) -> tuple[Any, ...]:
        """What a listing (topic, area, timeline, lineage) shows of the entry: its id, title, short
        name, date, date precision and kind. Made once per loaded file; the site keys listings on
        it (``site.listed``), so a summary edit leaves them alone."""
        e = self.entry
        return (self.id, e.title, e.short_name, e.date, e.date_precision, e.kind)


@dataclass(frozen=True)
class Identity:
    """What names a work, read even from a file that failed to load, so a draft still being written
    is found as a duplicate like any entry (by arXiv id, title or link)."""

    display_path: str
    arxiv: str | None = None
    title: str | None = None
    urls: tuple[str, ...] = ()


def identity_of_entry(item: LoadedEntry) -> Identity:
    urls = tuple(url for _, url in item.entry.links.items_present())
    return Identity(item.display_path, item.entry.arxiv, item.entry.title, urls)


def identity_of_file(path: Path, display: str) -> Identity:
    """The identity of a file that did not load: whatever of it is still readable YAML."""
    result = _read_yaml_text(path, display)
    data = {} if isinstance(result, Diagnostic) or not isinstance(result[1], dict) else result[1]
    try:
        arxiv = canonical_id(str(data["arxiv"])) if isinstance(data.get("arxiv"), str | int | float) else None
    except ValueError:
        arxiv = None
    title = data.get("title") if isinstance(data.get("title"), str) else None
    links = data.get("links")
    urls = tuple(u for u in links.values() if isinstance(u, str)) if isinstance(links, dict) else ()
    return Identity(display, arxiv, title, urls)


@dataclass(frozen=True)
class LoadedExclusion:
    """An exclusion with the line it is written on."""

    exclusion: Exclusion
    display_path: str
    line: int


@dataclass
class Catalog:
    root: Path
    taxonomy: Taxonomy | None
    taxonomy_path: str
    entries: dict[str, LoadedEntry] = field(default_factory=dict)
    # Files that exist but did not load, by id: references to them are not reported a second time,
    # and `add` and `import-markdown` still see them as duplicates.
    failed: dict[str, Identity] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Excluded arXiv ids (catalog/exclusions.yaml), each with its reason and line.
    exclusions: dict[str, LoadedExclusion] = field(default_factory=dict)
    # Variant spelling of an author's name → the name shown (catalog/authors.yaml).
    author_aliases: dict[str, str] = field(default_factory=dict)

    @property
    def file_count(self) -> int:
        """Entry files read, whether they loaded or not."""
        return len(self.entries) + len(self.failed)

    @property
    def failed_ids(self) -> AbstractSet[str]:
        return self.failed.keys()

    def identities(self) -> list[Identity]:
        """Every file's identity, loaded or not, in id order."""
        found = {entry_id: identity_of_entry(item) for entry_id, item in self.entries.items()}
        return [found.get(entry_id) or self.failed[entry_id] for entry_id in sorted({*found, *self.failed})]


def _display(path: Path, cwd: Path | None = None) -> str:
    """Paths relative to the working directory when possible, as CI annotations need."""
    absolute_text = os.path.abspath(path)  # not resolve(): a symlink must be named as itself
    if cwd is not None:  # once per file: string work, not pathlib's
        base = str(cwd).rstrip(os.sep) + os.sep
        if not absolute_text.startswith(base):
            return path.as_posix()
        relative = absolute_text[len(base) :]
        return relative if os.sep == "/" else relative.replace(os.sep, "/")
    absolute = Path(absolute_text)
    try:
        return absolute.relative_to(cwd or Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: ErrorDetails, model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        owner: Any = model
        for part in loc[:-1]:
            if isinstance(part, int):
                continue
            info = owner.model_fields.get(part) if hasattr(owner, "model_fields") else None
            annotation = getattr(info, "annotation", None)
            owner = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
            if owner is None:
                break
        allowed = sorted(owner.model_fields) if owner is not None else []
        if len(loc) == 1 and loc[0] in Links.model_fields:
            return f"unknown field '{loc[0]}': a link goes under 'links:', indented by two spaces"
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else (f"; allowed: {', '.join(allowed)}" if allowed else "")
        return f"unknown field '{loc[-1]}'{hint}"
    if kind == "missing":
        return "required field is missing"
    field_name = str(loc[-1]) if loc else ""
    if error.get("input") is None and kind != "value_error":
        info = model.model_fields.get(field_name) if len(loc) == 1 else None
        return (
            "required field is blank"
            if info is not None and info.is_required()
            else "blank: write a value or delete the line"
        )
    if kind.startswith(("date_", "datetime_")) or (field_name in DATE_FIELDS and kind.endswith("_type")):
        return (
            f"'{error.get('input')}' is not a date: write YYYY-MM-DD (when only the month is known, its first "
            "day and date_precision: month)"
        )
    if kind == "too_short" and field_name == "topics":
        return "required: at least one topic slug from catalog/taxonomy.yaml, e.g. topics: [masked-diffusion]"
    message: str = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "arxiv":
        message = "not an arXiv id: write it as a quoted string like '2502.09992', without version"
    elif kind == "string_pattern_mismatch":
        message = (
            f"'{error.get('input')}' is not a lowercase slug ([a-z0-9][a-z0-9-]*)"
            if "a-z0-9" in str(error.get("ctx", {}).get("pattern", ""))
            else message
        )
    return message


def validation_diagnostics(
    exc: ValidationError, model: type[BaseModel], positions: Positions, display: str, prefix: tuple[int, ...] = ()
) -> list[Diagnostic]:
    """Turn a pydantic error into one located diagnostic per problem.

    ``prefix`` is where the validated object sits in the file (``(3,)`` for a list's fourth item).
    """
    out = []
    for error in exc.errors(include_url=False):
        loc = prefix + tuple(error["loc"])
        if error["type"] == UNCONFIRMED_ERROR:
            loc = ("unconfirmed", error["ctx"]["field"])
        elif error["type"] == SUMMARY_MISSING:
            loc = ("summary",)
        anchor = loc[:-1] if error["type"] == "missing" else loc
        line, column = locate(positions, anchor)
        out.append(Diagnostic(display, line, column, _field_path(loc), _message(error, model, loc[len(prefix) :])))
    return out


def _summary_also_missing(
    data: dict[str, Any], found: list[Diagnostic], positions: Positions, display: str
) -> list[Diagnostic]:
    """The missing summary, reported with the other errors: pydantic runs the model's own check for
    it only once every field is valid, which would show it to the contributor one round later."""
    misspelt = any("did you mean 'summary'" in d.message for d in found)  # `sumary:` is reported as that
    if not summary_missing(data.get("summary"), data.get("unconfirmed")) or misspelt:
        return []
    if any(d.field == "summary" for d in found):
        return []
    line, column = locate(positions, ("summary",))
    return [Diagnostic(display, line, column, "summary", SUMMARY_MESSAGE)]


def read_yaml(path: Path, display: str) -> tuple[Any, Positions] | Diagnostic:
    """Read one YAML file safely, or return the located reason it cannot be read."""
    result = _read_yaml_text(path, display)
    return result if isinstance(result, Diagnostic) else result[1:]


def read_optional_yaml(path: Path, display: str) -> tuple[Any, Positions] | Diagnostic | None:
    """A catalog file that may be absent (the exclusions, the author aliases): None when it is
    absent or empty, else as :func:`read_yaml`."""
    if not path.exists() and not path.is_symlink():
        return None
    result = read_yaml(path, display)
    return None if not isinstance(result, Diagnostic) and result[0] is None else result


def _read_yaml_text(path: Path, display: str) -> tuple[str, Any, Positions] | Diagnostic:
    try:
        if path.is_symlink():
            return Diagnostic(display, 1, 1, "", "symbolic links are not allowed in the catalog")
        text = decode(path.read_bytes())
        return (text, *parse(text))
    except YamlError as exc:
        return Diagnostic(display, exc.line, exc.column, "", exc.message)
    except OSError as exc:
        return Diagnostic(display, 1, 1, "", f"cannot read file: {exc.strerror}")


_MARKER = re.compile("|".join(re.escape(m) for m in DRAFT_MARKERS))


def _draft_marker(text: str, display: str) -> Diagnostic | None:
    """A draft's TODO block or banner left in place (comments, so the YAML reader never sees them)."""
    if not _MARKER.search(text):  # the usual case, without splitting the text into lines
        return None
    for number, line in enumerate(editor_lines(text), 1):
        stripped = line.lstrip()
        if any(stripped.startswith(marker) for marker in DRAFT_MARKERS):
            return Diagnostic(
                display,
                number,
                len(line) - len(stripped) + 1,
                "",
                f"a draft marker is still here ({stripped[:40].rstrip()}): do what it asks, then delete the line",
            )
    return None


def load_taxonomy(root: Path) -> tuple[Taxonomy | None, list[Diagnostic]]:
    path = root / TAXONOMY_FILE
    display = _display(path)
    if not path.is_file():
        return None, [Diagnostic(display, 1, 1, "", "taxonomy file not found: is --catalog the catalog root?")]
    result = read_yaml(path, display)
    if isinstance(result, Diagnostic):
        return None, [result]
    data, positions = result
    if not isinstance(data, dict):
        return None, [Diagnostic(display, 1, 1, "", "the taxonomy must be a mapping with an 'areas' list")]
    try:
        taxonomy = Taxonomy.model_validate(data)
    except ValidationError as exc:
        return None, validation_diagnostics(exc, Taxonomy, positions, display)
    diags: list[Diagnostic] = []
    seen: dict[str, tuple[Any, ...]] = {}
    for a_index, area in enumerate(taxonomy.areas):
        candidates = [(("areas", a_index, "slug"), area.slug)] + [
            (("areas", a_index, "topics", t_index, "slug"), topic.slug) for t_index, topic in enumerate(area.topics)
        ]
        for loc, slug in candidates:
            if slug in seen:
                line, column = locate(positions, loc)
                diags.append(Diagnostic(display, line, column, _field_path(loc), f"slug '{slug}' is used twice"))
            seen[slug] = loc
    return (taxonomy if not diags else None), diags


def load_exclusions(root: Path) -> tuple[dict[str, LoadedExclusion], list[Diagnostic]]:
    """Read ``exclusions.yaml`` if present: a list of ``{arxiv, title, reason}`` mappings."""
    path = root / EXCLUSIONS_FILE
    display = _display(path)
    result = read_optional_yaml(path, display)
    if result is None:
        return {}, []
    if isinstance(result, Diagnostic):
        return {}, [result]
    data, positions = result
    if not isinstance(data, list):
        return {}, [Diagnostic(display, 1, 1, "", "exclusions must be a list of {arxiv, title, reason} mappings")]
    found: dict[str, LoadedExclusion] = {}
    diags: list[Diagnostic] = []
    for index, item in enumerate(data):
        line, _ = locate(positions, (index,))
        try:
            exclusion = Exclusion.model_validate(item)
        except ValidationError as exc:
            diags.extend(validation_diagnostics(exc, Exclusion, positions, display, (index,)))
            continue
        if exclusion.arxiv in found:
            first = found[exclusion.arxiv]
            where = locate(positions, (index, "arxiv"))
            diags.append(
                Diagnostic(
                    display,
                    *where,
                    f"[{index}].arxiv",
                    f"arXiv {exclusion.arxiv} is already excluded on line {first.line}",
                )
            )
            continue
        found[exclusion.arxiv] = LoadedExclusion(exclusion, display, line)
    return found, diags


def load_entry(
    path: Path, display: str, topics: AbstractSet[str] | None = None, areas: Mapping[str, list[str]] | None = None
) -> tuple[LoadedEntry | None, list[Diagnostic]]:
    """Load and schema-check one entry file; given the taxonomy's topic slugs (and its areas' slugs,
    for the message when an area is used as a topic), its topics too."""
    entry_id = path.stem
    diags: list[Diagnostic] = []
    if not _SLUG.fullmatch(entry_id) or len(entry_id) > MAX_ID_LENGTH:  # fullmatch: "$" accepts a final newline
        odd = next((ch for ch in entry_id if not ch.isascii()), None)
        why = f" (U+{ord(odd):04X} is not ASCII: it only looks like a letter)" if odd else ""
        diags.append(
            Diagnostic(display, 1, 1, "", f"file name '{path.name}' must be <id>.yaml with a lowercase slug id{why}")
        )
    result = _read_yaml_text(path, display)
    if isinstance(result, Diagnostic):
        return None, [*diags, result]
    text, data, positions = result
    if not isinstance(data, dict):
        return None, [*diags, Diagnostic(display, 1, 1, "", "an entry must be a YAML mapping of fields")]
    marker = _draft_marker(text, display)
    if marker is not None:
        diags.append(marker)
    raw_kind = data.get("kind")
    kind = raw_kind if isinstance(raw_kind, str) else ""
    model = ENTRY_CLASSES.get(kind)
    if model is None:
        line, column = locate(positions, ("kind",))
        what = "missing" if raw_kind is None else f"'{raw_kind}' is not a kind"
        diags.append(Diagnostic(display, line, column, "kind", f"{what}: use one of {', '.join(ENTRY_CLASSES)}"))
        return None, diags
    expected_dir = KIND_DIRS[kind]
    if path.parent.name != expected_dir:
        line, column = locate(positions, ("kind",))
        diags.append(
            Diagnostic(
                display, line, column, "kind", f"a {kind} entry belongs in {expected_dir}/, not {path.parent.name}/"
            )
        )
    try:
        entry = model.model_validate(data, context=None if topics is None else {"topics": topics, "areas": areas})
    except ValidationError as exc:
        found = validation_diagnostics(exc, model, positions, display)
        return None, diags + found + _summary_also_missing(data, found, positions, display)
    if diags:
        return None, diags
    return LoadedEntry(entry_id, path, display, entry, positions, text_digest(text)), []


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# What one entry file loads to: the entry (or None), its problems, and, when it failed, what
# still names it (so drafts are found as duplicates).
FileResult = tuple["LoadedEntry | None", list[Diagnostic], "Identity | None"]


class LoadCache:
    """Per-file load results kept between runs of :func:`load_catalog`, keyed on the file's
    identity and change time (``st_ino``, ``st_size``, ``st_mtime_ns`` and ``st_ctime_ns``: a write
    changes the change time, and no tool can set it back), where it is shown, and the taxonomy it
    was validated against. Results no run asked for are dropped, so the cache holds one catalog's
    worth at most."""

    def __init__(self) -> None:
        self._results: dict[tuple[Path, str, tuple[int, ...]], FileResult] = {}
        self._taxonomy: object = None
        self._used: set[tuple[Path, str, tuple[int, ...]]] = set()
        self.hits = self.misses = 0

    def start(self) -> None:
        """Start a run."""
        self._used = set()
        self.hits = self.misses = 0

    def taxonomy_is(self, taxonomy_key: object) -> None:
        """The run's taxonomy: a different one than the last invalidates every entry's result
        (their topics are validated against it)."""
        if taxonomy_key != self._taxonomy:
            self._results = {k: v for k, v in self._results.items() if k in self._used}
            self._taxonomy = taxonomy_key

    def load(
        self, path: Path, display: str, topics: AbstractSet[str] | None, areas: Mapping[str, list[str]] | None
    ) -> FileResult:
        try:
            info = path.lstat()  # a symbolic link is refused whatever it points at: its own stat
        except OSError:
            return _load_file(path, display, topics, areas)
        key = (path, display, (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_mode))
        self._used.add(key)
        if key in self._results:
            self.hits += 1
            return self._results[key]
        self.misses += 1
        result = self._results[key] = _load_file(path, display, topics, areas)
        return result

    def whole_file(self, path: Path, make: Callable[[], T]) -> T:
        """``make()``, the loading of a file read on its own (the taxonomy, the exclusions),
        reused while the file is unchanged."""
        try:
            info = path.lstat()
        except OSError:
            return make()
        key = (path, "", (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_mode))
        self._used.add(key)
        if key not in self._results:
            self._results[key] = make()  # type: ignore[assignment]
        return self._results[key]  # type: ignore[return-value]

    def end(self) -> None:
        """Finish a run: forget the files it did not read (deleted, or since changed)."""
        for key in self._results.keys() - self._used:
            del self._results[key]


def _load_file(
    path: Path, display: str, topics: AbstractSet[str] | None, areas: Mapping[str, list[str]] | None
) -> FileResult:
    loaded, diags = load_entry(path, display, topics, areas)
    return loaded, diags, None if loaded is not None else identity_of_file(path, display)


def _entry_files(root: Path) -> tuple[list[Path], list[Diagnostic]]:
    files: list[Path] = []
    diags: list[Diagnostic] = []
    for child in sorted(os.scandir(root), key=lambda e: e.name):
        if child.name in (TAXONOMY_FILE, EXCLUSIONS_FILE, AUTHORS_FILE):
            continue
        if child.is_symlink():
            diags.append(
                Diagnostic(_display(Path(child.path)), 1, 1, "", "symbolic links are not allowed in the catalog")
            )
        elif child.is_dir() and child.name in _KIND_OF_DIR:
            # Directory entries carry their type: no stat per file (3,000 of them at scale).
            for item in sorted(os.scandir(child.path), key=lambda e: e.name):
                # Hidden files too: a ".draft.yaml" that nobody validates is a file nobody sees.
                if (
                    item.name.endswith(".yaml")
                    and not item.name.startswith(".")
                    and (item.is_file() or item.is_symlink())
                ):
                    files.append(Path(item.path))
                else:
                    diags.append(
                        Diagnostic(_display(Path(item.path)), 1, 1, "", "unexpected file: entries are <id>.yaml files")
                    )
        else:
            folders = ", ".join(sorted(_KIND_OF_DIR))
            diags.append(
                Diagnostic(_display(Path(child.path)), 1, 1, "", f"unexpected path: the catalog holds {folders}")
            )
    return files, diags


def load_catalog(root: Path, cache: LoadCache | None = None) -> Catalog:
    """Load the taxonomy and every entry under ``root``; collect all problems. With ``cache``,
    only files changed since its last run are parsed and validated."""
    root = Path(root)
    if not root.is_dir():
        return Catalog(
            root,
            None,
            _display(root / TAXONOMY_FILE),
            diagnostics=[
                Diagnostic(
                    _display(root),
                    1,
                    1,
                    "",
                    "catalog folder not found: run from the repository root, or name the folder with --catalog DIR",
                )
            ],
        )
    if cache is not None:
        cache.start()
    taxonomy, diags = (
        cache.whole_file(root / TAXONOMY_FILE, lambda: load_taxonomy(root)) if cache else load_taxonomy(root)
    )
    catalog = Catalog(root, taxonomy, _display(root / TAXONOMY_FILE), diagnostics=list(diags))
    catalog.exclusions, exclusion_diags = (
        cache.whole_file(root / EXCLUSIONS_FILE, lambda: load_exclusions(root)) if cache else load_exclusions(root)
    )
    catalog.exclusions = dict(catalog.exclusions)
    catalog.diagnostics.extend(exclusion_diags)
    # Imported here: the people module reads its file with this module's readers.
    from .people import load_aliases

    catalog.author_aliases, alias_diags = (
        cache.whole_file(root / AUTHORS_FILE, lambda: load_aliases(root, _display(root / AUTHORS_FILE)))
        if cache
        else load_aliases(root, _display(root / AUTHORS_FILE))
    )
    catalog.author_aliases = dict(catalog.author_aliases)
    catalog.diagnostics.extend(alias_diags)
    files, file_diags = _entry_files(root)
    catalog.diagnostics.extend(file_diags)
    topics = frozenset(taxonomy.topics()) if taxonomy is not None else None
    areas = {a.slug: [t.slug for t in a.topics] for a in taxonomy.areas} if taxonomy is not None else None
    first_seen: dict[str, str] = {}
    cwd = Path.cwd().resolve()  # once, not per file
    if cache is not None:
        cache.taxonomy_is((topics, None if areas is None else tuple((k, tuple(v)) for k, v in areas.items())))
    load = cache.load if cache is not None else _load_file
    for path in files:
        display = _display(path, cwd)
        loaded, entry_diags, identity = load(path, display, topics, areas)
        catalog.diagnostics.extend(entry_diags)
        if path.stem in first_seen:
            catalog.diagnostics.append(
                Diagnostic(display, 1, 1, "", f"id '{path.stem}' is already used by {first_seen[path.stem]}")
            )
            continue
        first_seen[path.stem] = display
        if loaded is not None:
            catalog.entries[loaded.id] = loaded
        elif identity is not None:
            catalog.failed[path.stem] = identity
    if cache is not None:
        cache.end()
    return catalog
