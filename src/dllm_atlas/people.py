"""People: every author of the catalog, matched across entries, for the author pages and the explorer.

Names are matched exactly after :func:`normalise_name` (Unicode NFC, whitespace collapsed), so
"Louis Be\u0301thune" and "Louis Béthune" are one person but "Louis Bethune" is another, unless the
optional alias map ``catalog/authors.yaml`` says so::

    # catalog/authors.yaml: the name the site shows → the other ways entries write it
    aliases:
      "Louis Béthune": ["Louis Bethune"]

The load stage reads that file with :func:`load_aliases` (located errors: unknown keys, blank or
non-text names, a variant given to two names, a name that is both canonical and a variant, a
variant that is its own name). Then::

    people = build_people(index.entries, index.author_aliases)
    people.authors[0].name, people.authors[0].slug, people.authors[0].entries   # newest first
    people.slug_of("Louis Bethune")                                             # the page's slug
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .diagnostics import Diagnostic
from .safeyaml import locate

AUTHORS_FILE = "authors.yaml"
# Bytes of a name's SHA-256 used as its slug when nothing of it is ASCII (e.g. a name in Han script).
_HASH_SLUG = 8


def normalise_name(name: str) -> str:
    """The form names are matched in: Unicode NFC, runs of whitespace as one space, no ends."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def _plain_name(value: str) -> str:
    if any(unicodedata.category(ch)[0] == "C" for ch in value) or "<" in value or ">" in value:
        raise ValueError("a name is one line of plain text (no control characters, no '<' or '>')")
    return normalise_name(value)


Name = Annotated[str, StringConstraints(min_length=1, max_length=120), AfterValidator(_plain_name)]


class AuthorAliases(BaseModel):
    """``catalog/authors.yaml``: each canonical name with the variants entries also write it as."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    aliases: dict[Name, list[Name]] = Field(
        default_factory=dict, description="The name the site shows → the other spellings of it in entries."
    )


def _alias_problems(data: AuthorAliases, positions: Any, display: str) -> list[Diagnostic]:
    """What the schema cannot see: a variant claimed twice, a name both canonical and a variant."""
    problems: list[Diagnostic] = []
    owner: dict[str, str] = {}
    for canonical, variants in data.aliases.items():
        for number, variant in enumerate(variants):
            where = locate(positions, ("aliases", canonical, number))
            field_name = f"aliases.{canonical}[{number}]"
            if variant == canonical:
                message = f"'{variant}' is the name itself: list only other spellings"
            elif variant in data.aliases:
                message = f"'{variant}' is a canonical name of its own: a name is either canonical or a variant"
            elif variant in owner:
                message = f"'{variant}' is already a variant of '{owner[variant]}': a variant names one person"
            else:
                owner[variant] = canonical
                continue
            problems.append(Diagnostic(display, *where, field_name, message))
    return problems


def load_aliases(root: Path, display: str) -> tuple[dict[str, str], list[Diagnostic]]:
    """``variant → canonical name`` from ``root/authors.yaml`` (empty when the file is absent)."""
    # Imported here: the load stage calls this module, which needs the load stage's readers.
    from .load import read_optional_yaml, validation_diagnostics

    result = read_optional_yaml(root / AUTHORS_FILE, display)
    if result is None:
        return {}, []
    if isinstance(result, Diagnostic):
        return {}, [result]
    data, positions = result
    if not isinstance(data, dict):
        return {}, [Diagnostic(display, 1, 1, "", "authors.yaml must be a mapping with an 'aliases' mapping")]
    try:
        aliases = AuthorAliases.model_validate(data)
    except ValidationError as exc:
        return {}, validation_diagnostics(exc, AuthorAliases, positions, display)
    problems = _alias_problems(aliases, positions, display)
    # Two keys written differently (NFC or spacing) that normalise alike: the second is a repeat.
    seen: set[str] = set()
    for raw in data.get("aliases") or {}:
        name = normalise_name(str(raw))
        if name in seen:
            line, column = locate(positions, ("aliases", raw))
            problems.append(Diagnostic(display, line, column, f"aliases.{raw}", f"'{name}' is listed twice"))
        seen.add(name)
    if problems:
        return {}, problems
    return {variant: canonical for canonical, variants in aliases.aliases.items() for variant in variants}, []


def slug_base(name: str) -> str:
    """A URL slug from a name: accents dropped, lowercase ASCII words joined by hyphens (a hash for
    a name with no ASCII letters or digits)."""
    ascii_name = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "author-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:_HASH_SLUG]


def sort_key(name: str) -> tuple[str, str]:
    """Index order: by the name as written, accents and case ignored (no guessing of family names)."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return (plain.casefold(), name)


def initial(name: str) -> str:
    """The letter a name is grouped under in the index: A–Z, else "#"."""
    first = sort_key(name)[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


# Authors link to each other through their co-authors: compared by identity and shown by name, as
# the generated __eq__ and __repr__ would walk the whole graph of co-authors, again and again.
@dataclass(eq=False, repr=False)
class Author:
    """One person: the name shown, the page's slug, their entries newest first, their co-authors
    (most shared entries first) and the other spellings entries use."""

    name: str
    slug: str
    entries: list[Any] = field(default_factory=list)  # LoadedEntry, in the catalog's order
    coauthors: list[tuple[Author, int]] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Author({self.name!r}, {self.slug!r}, {len(self.entries)} entries)"


@dataclass
class People:
    authors: list[Author]  # index order (sort_key)
    by_name: dict[str, Author]  # canonical name → author
    aliases: dict[str, str]  # variant → canonical name

    def canonical(self, raw: str) -> str:
        name = normalise_name(raw)
        return self.aliases.get(name, name)

    def of(self, raw: str) -> Author:
        """The author a name written in an entry stands for."""
        return self.by_name[self.canonical(raw)]

    def slug_of(self, raw: str) -> str:
        return self.of(raw).slug

    def groups(self) -> list[tuple[str, list[Author]]]:
        """The index's groups: (initial, authors), in order."""
        out: dict[str, list[Author]] = {}
        for author in self.authors:
            out.setdefault(initial(author.name), []).append(author)
        return sorted(out.items(), key=lambda item: (item[0] == "#", item[0]))


def build_people(entries: list[Any], aliases: dict[str, str]) -> People:
    """Every author of ``entries`` (newest first, as the index orders them), with slugs unique
    among them: a name whose slug is taken by a name earlier in index order gets "-2", "-3", …"""
    people = People([], {}, aliases)
    written: dict[str, set[str]] = {}
    for item in entries:
        seen_here: set[str] = set()
        for raw in item.entry.authors:
            name = people.canonical(raw)
            author = people.by_name.get(name)
            if author is None:
                author = people.by_name[name] = Author(name, "")
            if name not in seen_here:  # a name written twice in one entry lists the entry once
                author.entries.append(item)
                seen_here.add(name)
            if normalise_name(raw) != name:
                written.setdefault(name, set()).add(normalise_name(raw))
    people.authors = sorted(people.by_name.values(), key=lambda a: sort_key(a.name))
    taken: set[str] = {"index"}  # authors/index.md is the index itself
    for author in people.authors:
        base = slug_base(author.name)
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        author.slug = slug
        author.variants = sorted(written.get(author.name, ()))
    for author in people.authors:
        shared: Counter[str] = Counter()
        for item in author.entries:
            shared.update({people.canonical(raw) for raw in item.entry.authors} - {author.name})
        author.coauthors = [
            (people.by_name[name], count)
            for name, count in sorted(shared.items(), key=lambda kv: (-kv[1], sort_key(kv[0])))
        ]
    return people


def use_entries(people: People, by_id: Mapping[str, Any]) -> None:
    """Point every author's entries at the objects of ``by_id`` (entry id → LoadedEntry): people
    made from an earlier load of the same authorship then show the current entries."""
    for author in people.authors:
        author.entries = [by_id[item.id] for item in author.entries]
