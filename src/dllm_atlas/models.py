"""The schema of the catalog: pydantic v2 models, the single source of truth.

Every entry file under ``catalog/<kind-plural>/<id>.yaml`` validates against :data:`Entry`, a
union discriminated by ``kind``. The JSON Schema given to editors (``dllm-atlas schema``), the field
reference in the docs and the validation messages all derive from these classes; change a field
here and everything downstream follows.

Conventions worth knowing when editing:

* Unknown fields are errors (``extra="forbid"``): in a hand-written file they are typos.
* Text fields refuse raw HTML tags; Markdown-significant characters are allowed and escaped by
  every output, never interpreted.
* URLs are kept exactly as written (no normalisation) and must be absolute http(s) without
  credentials, so a pull request cannot smuggle ``javascript:`` or ``file:`` links in.
"""

from __future__ import annotations

import datetime as dt
import difflib
import ipaddress
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .arxivid import CANONICAL_PATTERN
from .diagnostics import INVISIBLE_CLASS
from .safeyaml import Unquoted

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
# Fields holding dates, whose errors name the format.
DATE_FIELDS = ("date", "added")
# The earliest date an entry can carry: no work on language generation by diffusion predates it.
EARLIEST_DATE = dt.date(1990, 1, 1)
# Dates may run this far past today (time zones, an announcement due tomorrow), never further.
FUTURE_MARGIN = dt.timedelta(days=2)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: object) -> object:
    # YAML hands dates over as strings; pydantic would also read "1735689600" as a Unix time.
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip()):
        raise PydanticCustomError("date_format", "'{value}' is not a date: write YYYY-MM-DD", {"value": value})
    return value


def _plausible_date(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= dt.date.today() + FUTURE_MARGIN:
        raise ValueError(f"{value.isoformat()} is out of range: dates run from {EARLIEST_DATE.isoformat()} to today")
    return value


CatalogDate = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_plausible_date)]
# Longest id (file name stem) validation accepts; `new --id` and `add --id` check it too.
MAX_ID_LENGTH = 80
# Parameter counts as people write them: 8B, 1.5B, 350M, or MoE "16B-A1.4B" (total-active).
PARAMETERS_PATTERN = r"^[0-9]+(\.[0-9]+)?[KMBT](-A[0-9]+(\.[0-9]+)?[KMBT])?$"
MAX_URL_LENGTH = 2000

_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>")
# Venues that are journals (cited as @article), not conferences or workshops (@inproceedings).
_JOURNAL_VENUE = re.compile(
    r"^(TMLR|JMLR|TACL|TPAMI|PNAS|Nature|Science)\b|Transactions on|Journal\b|\bIEEE Access\b|\bLetters\b",
    re.IGNORECASE,
)


def _no_html(value: str) -> str:
    if _HTML_TAG.search(value):
        raise ValueError("raw HTML tags are not allowed in text; write plain text")
    return value


# Control characters (tab and newline aside), bidi overrides and isolates, invisible spaces, line and
# paragraph separators, and noncharacters: none belongs in catalog text, and each breaks an output
# (Atom is not well-formed with most C0 controls; a terminal runs ESC sequences; U+202E reverses
# what a reader sees). Written with YAML escapes ("\e", "\x7f", "\uFFFE") they reach us intact.
_INVISIBLE = re.compile(f"[\x00-\x08\x0b-\x1f{INVISIBLE_CLASS}\ufffe\uffff]")


def _printable(value: str) -> str:
    found = _INVISIBLE.search(value)
    if found:
        raise ValueError(
            f"contains the control or invisible character U+{ord(found.group()):04X} at position "
            f"{found.start() + 1}: delete it"
        )
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    return value


# Hosts as written in a URL: ASCII letters, digits, hyphens and dots (an international name in its
# xn-- form). Anything else can look like another host: a fullwidth dot "。" that IDNA maps to ".",
# a Cyrillic "а" inside "exаmple.com".
_ASCII_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?")


def _valid_host(host: str) -> bool:
    if _ASCII_HOST.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


_URL_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def _http_url(value: str) -> str:
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(f"URL longer than {MAX_URL_LENGTH} characters")
    if _URL_SPACE_OR_CONTROL.search(value):
        raise ValueError("URL must not contain whitespace or control characters")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError("URL scheme must be http or https")
    if not parts.hostname:
        raise ValueError("URL must have a host name")
    if parts.username is not None or parts.password is not None:
        raise ValueError("URL must not contain credentials")
    if not _valid_host(parts.hostname):
        raise ValueError(
            f"URL host '{parts.hostname}' must be plain ASCII (letters, digits, '-', '.'; an international "
            "name in its xn-- form), so it cannot pass for another host"
        )
    try:
        parts.port  # noqa: B018 - reading it validates it
    except ValueError:
        raise ValueError(f"URL port in '{parts.netloc}' must be a number from 1 to 65535") from None
    if parts.port == 0:
        raise ValueError(f"URL port in '{parts.netloc}' must be a number from 1 to 65535")
    return value


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_printable),
    AfterValidator(_single_line),
    AfterValidator(_no_html),
]
Paragraph = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=20, max_length=1200),
    AfterValidator(_printable),
    AfterValidator(_no_html),
]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]


def _known_topic(value: str, info: ValidationInfo) -> str:
    # The taxonomy arrives as validation context (``{"topics": {...}, "areas": {...}}``) so an
    # unknown topic is reported with the entry's other schema errors, even when those stop the entry
    # from loading.
    context = info.context or {}
    known = context.get("topics")
    if known is None or value in known:
        return value
    areas = context.get("areas") or {}
    if value in areas:
        raise ValueError(f"'{value}' is an area, not a topic: use one of its topics ({', '.join(areas[value])})")
    guess = difflib.get_close_matches(value, sorted(known), n=1)
    hint = f"; did you mean '{guess[0]}'?" if guess else ""
    raise ValueError(f"unknown topic '{value}' (see taxonomy.yaml){hint}")


def _not_a_paper(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    if host == "arxiv.org" or host.endswith(".arxiv.org"):
        raise ValueError("an arXiv link is the paper, not code: put it under links.paper")
    return url


TopicSlug = Annotated[Slug, AfterValidator(_known_topic)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]


def _quoted(value: object) -> object:
    if isinstance(value, Unquoted):
        raise PydanticCustomError(
            "arxiv_unquoted",
            'write the arXiv id in quotes (arxiv: "{value}"): unquoted, other YAML readers take it for '
            "the number {value}, and an id such as 2406.10 for 2406.1",
            {"value": str(value)},
        )
    return value


# Quoted, so every YAML reader (editors, check-jsonschema) sees the same string the validator does.
ArxivId = Annotated[str, BeforeValidator(_quoted), StringConstraints(pattern=CANONICAL_PATTERN)]


# The error type of a bad ``unconfirmed`` key; its context names the key, so the loader can point at it.
UNCONFIRMED_ERROR = "unconfirmed_field"
# The error type of an entry with no summary; the loader reports it as the summary field.
SUMMARY_MISSING = "summary_missing"
SUMMARY_MESSAGE = (
    "required field is missing: one or two sentences in your own words on what the work does "
    "and its headline result (or, if no copy of the work can be read, unconfirmed: {summary: why})"
)
# Fields whose absence is a schema error or meaningless, so no reason for leaving them empty applies.
_NOT_UNCONFIRMABLE = frozenset(
    {"kind", "title", "date", "date_precision", "topics", "added", "unconfirmed", "former_titles", "relations", "links"}
)


def summary_missing(summary: object, unconfirmed: object) -> bool:
    """No summary and no reason for it: the one rule, for the model and for a file that fails to load
    (whose other errors would otherwise hide it until a second round)."""
    excused = isinstance(unconfirmed, dict) and "summary" in unconfirmed
    return summary in (None, "") and not excused


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Links(_Strict):
    """Where the work lives. Every value is an absolute http(s) URL."""

    paper: HttpUrl | None = Field(None, description="The paper: arXiv abstract page, or venue page.")
    code: Annotated[HttpUrl, AfterValidator(_not_a_paper)] | None = Field(None, description="Source code repository.")
    project: HttpUrl | None = Field(None, description="Project page.")
    huggingface: HttpUrl | None = Field(None, description="Hugging Face model, dataset or collection.")
    blog: HttpUrl | None = Field(None, description="Blog post or announcement.")
    demo: HttpUrl | None = Field(None, description="Live demo.")
    docs: HttpUrl | None = Field(None, description="Documentation.")
    video: HttpUrl | None = Field(None, description="Talk or video.")

    def items_present(self) -> list[tuple[str, str]]:
        """The links that are set, in field order, as ``(kind, url)`` pairs."""
        return [(name, url) for name, url in self.model_dump().items() if url]

    def present(self, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
        """The links of the given kinds that are set, in the order the kinds are given."""
        return [(kind, url) for kind in kinds if (url := getattr(self, kind))]

    def primary(self) -> str | None:
        """The URL that identifies the work: the paper, else the first link given."""
        present = self.items_present()
        return present[0][1] if present else None


class Relations(_Strict):
    """Typed links to other catalog entries, by id. The index adds the reverse direction."""

    builds_on: list[Slug] = Field(
        default_factory=list, description="Entries whose method, model or data this work uses."
    )
    extends: list[Slug] = Field(
        default_factory=list,
        description="The previous version in the same family (LLaDA 1.5 extends LLaDA).",
    )
    related: list[Slug] = Field(
        default_factory=list, description="Closely related work: a competitor, a concurrent method."
    )


RELATION_TYPES: tuple[str, ...] = tuple(Relations.model_fields)


class _EntryBase(_Strict):
    title: Text = Field(description="The full title, as published (for arXiv papers, the current arXiv title).")
    former_titles: list[Text] = Field(
        default_factory=list,
        max_length=5,
        description="Earlier titles of a renamed work, so search finds it under either name.",
    )
    short_name: Annotated[Text, StringConstraints(max_length=60)] | None = Field(
        None, description="The name people use, e.g. LLaDA.", json_schema_extra={"examples": ["LLaDA"]}
    )
    authors: list[Annotated[Text, StringConstraints(max_length=120)]] = Field(
        default_factory=list, description="Authors in published order. Leave empty if unconfirmed.", max_length=400
    )
    date: CatalogDate = Field(
        description=(
            "First public release, YYYY-MM-DD. For arXiv papers, the day v1 was announced (the id's "
            "month); if only the month is known, write its first day and set date_precision: month."
        )
    )
    date_precision: Literal["day", "month"] = Field(
        "day", description="'month' when only the month of the release is known (date is then its 1st)."
    )
    venue: Annotated[Text, StringConstraints(max_length=120)] | None = Field(
        None, description="Where it was published, e.g. 'NeurIPS 2025'."
    )
    arxiv: ArxivId | None = Field(
        None, description="Canonical arXiv id without version, as a quoted string: '2502.09992'."
    )
    links: Links = Field(default_factory=Links, description="Where the work lives; absolute http(s) URLs only.")
    topics: list[TopicSlug] = Field(min_length=1, max_length=12, description="Taxonomy topic slugs.")
    summary: Paragraph | None = Field(
        None, description="One or two sentences in our own words: what the work does, its headline result."
    )
    relations: Relations = Field(default_factory=Relations, description="Typed links to other catalog entries, by id.")
    added: CatalogDate = Field(description="The date the entry entered the catalog.")
    unconfirmed: dict[str, Annotated[Text, StringConstraints(max_length=200)]] = Field(
        default_factory=dict,
        description=(
            "Fields left empty because no public source confirms them, each with the reason, e.g. "
            "{context_length: 'not stated in the model card or the paper'}; a kind of link (code, "
            "huggingface, …) may be named too."
        ),
    )

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: list[str]) -> list[str]:
        if len(set(topics)) != len(topics):
            raise ValueError("topics must not repeat")
        return topics

    @model_validator(mode="after")
    def _summary_is_written(self) -> _EntryBase:
        if summary_missing(self.summary, self.unconfirmed):
            raise PydanticCustomError(SUMMARY_MISSING, SUMMARY_MESSAGE)
        return self

    @model_validator(mode="after")
    def _unconfirmed_fields_are_empty(self) -> _EntryBase:
        fields = type(self).model_fields
        for name in self.unconfirmed:
            if name in Links.model_fields:  # one kind of link, such as code
                if getattr(self.links, name) is not None:
                    raise PydanticCustomError(
                        UNCONFIRMED_ERROR,
                        "links.{field} has a value, so it is not unconfirmed: remove it from unconfirmed or the link",
                        {"field": name},
                    )
                continue
            if name not in fields or name in _NOT_UNCONFIRMABLE:
                choices = ", ".join(sorted((set(fields) - _NOT_UNCONFIRMABLE) | set(Links.model_fields)))
                raise PydanticCustomError(
                    UNCONFIRMED_ERROR,
                    "'{field}' is not a field that can be left unconfirmed; use one of {choices}",
                    {"field": name, "choices": choices},
                )
            if getattr(self, name) not in (None, [], {}):
                raise PydanticCustomError(
                    UNCONFIRMED_ERROR,
                    "'{field}' has a value, so it is not unconfirmed: remove it from unconfirmed or empty the field",
                    {"field": name},
                )
        return self

    @model_validator(mode="after")
    def _month_precision_is_first_day(self) -> _EntryBase:
        if self.date_precision == "month" and self.date.day != 1:
            raise ValueError("with date_precision: month, write the date as the month's first day (YYYY-MM-01)")
        return self

    def heading(self) -> str:
        """The name to show: "LLaDA: Large Language Diffusion Models", or the title alone when the
        short name is absent or already part of it."""
        if self.short_name and self.short_name not in self.title:
            return f"{self.short_name}: {self.title}"
        return self.title

    def citation_type(self) -> Literal["inproceedings", "article", "misc"]:
        """The BibTeX entry type: ``article`` for a journal venue (TMLR, TACL, …), ``inproceedings``
        for any other known venue (conferences, workshops), ``misc`` without a venue."""
        if not self.venue:
            return "misc"
        return "article" if _JOURNAL_VENUE.search(self.venue) else "inproceedings"

    def date_text(self) -> str:
        """The date as precisely as it is known, for the README list: 2025-02-14, or 2025-02. (The site
        writes dates with the ``date_shown`` filter of :mod:`dllm_atlas.render`.)"""
        return self.date.isoformat() if self.date_precision == "day" else self.date.strftime("%Y-%m")

    @field_validator("short_name")
    @classmethod
    def _short_name_text(cls, value: str | None) -> str | None:
        return None if value is None else _no_html(_single_line(value))


class Paper(_EntryBase):
    """A research paper."""

    kind: Literal["paper"]


# What a model reads or writes, in the order the models table lists them.
MODALITIES = ("text", "code", "image", "audio", "video", "speech")
Modality = Literal["text", "code", "image", "audio", "video", "speech"]


class Model(_EntryBase):
    """A released model (or model family) with its key facts."""

    kind: Literal["model"]
    parameters: list[Annotated[str, StringConstraints(pattern=PARAMETERS_PATTERN)]] = Field(
        default_factory=list,
        description="Released sizes: '8B', '1.5B', or total-active for MoE: '16B-A1.4B'.",
    )
    context_length: int | None = Field(None, gt=0, le=100_000_000, description="Maximum context in tokens.")
    license: Annotated[Text, StringConstraints(max_length=80)] | None = Field(
        None, description="Licence of the weights, e.g. 'MIT', 'Apache-2.0'."
    )
    open_weights: bool | None = Field(None, description="Whether the weights can be downloaded.")
    base_model: Annotated[Text, StringConstraints(max_length=120)] | None = Field(
        None, description="What it was initialised from: a catalog id, or an external name such as 'Qwen2.5-7B'."
    )
    training: Literal["from-scratch", "ar-adapted", "dllm-finetuned"] | None = Field(
        None,
        description=(
            "Trained from scratch, adapted from an autoregressive model, or post-trained from another "
            "diffusion language model (named in base_model)."
        ),
    )
    organization: Annotated[Text, StringConstraints(max_length=200)] | None = Field(
        None,
        description=(
            "Who released it, as its own sources (README, model card, project page) name them, e.g. "
            "'Renmin University of China and Ant Group'. Leave empty if no source says."
        ),
    )
    modalities: list[Modality] = Field(
        default_factory=list,
        max_length=len(MODALITIES),
        description="What it reads or writes: text, code, image, audio, video, speech.",
    )

    @field_validator("modalities")
    @classmethod
    def _unique_modalities(cls, modalities: list[str]) -> list[str]:
        if len(set(modalities)) != len(modalities):
            raise ValueError("modalities must not repeat")
        return modalities


TRAINING_LABELS = {
    "from-scratch": "from scratch",
    "ar-adapted": "adapted from an autoregressive model",
    "dllm-finetuned": "post-trained from a diffusion model",
}


class Framework(_EntryBase):
    """A software library or engine."""

    kind: Literal["framework"]
    language: Annotated[Text, StringConstraints(max_length=40)] | None = Field(
        None, description="Main implementation language."
    )
    license: Annotated[Text, StringConstraints(max_length=80)] | None = Field(None, description="Code licence.")
    supported_models: list[Slug] = Field(default_factory=list, description="Catalog ids of models it supports.")
    purpose: list[Literal["training", "inference", "serving", "evaluation"]] = Field(
        default_factory=list, description="What it is for."
    )


class Dataset(_EntryBase):
    """A dataset made for or used prominently by diffusion language models."""

    kind: Literal["dataset"]


class Benchmark(_EntryBase):
    """A benchmark or evaluation suite."""

    kind: Literal["benchmark"]


class Article(_EntryBase):
    """A blog post, talk, tutorial or other non-paper writing."""

    kind: Literal["article"]


Entry = Annotated[
    Paper | Model | Framework | Dataset | Benchmark | Article,
    Field(discriminator="kind"),
]
ENTRY_CLASSES: dict[str, type[_EntryBase]] = {
    "paper": Paper,
    "model": Model,
    "framework": Framework,
    "dataset": Dataset,
    "benchmark": Benchmark,
    "article": Article,
}
KIND_DIRS: dict[str, str] = {kind: f"{kind}s" for kind in ENTRY_CLASSES}


class Exclusion(_Strict):
    """One item of ``catalog/exclusions.yaml``: an arXiv paper judged out of scope, and why."""

    arxiv: ArxivId = Field(description="The excluded paper's arXiv id, quoted, without version.")
    title: Text = Field(description="Its title, so a reader of the file knows what was excluded.")
    reason: Annotated[Text, StringConstraints(max_length=120)] = Field(
        description="One short phrase: 'image diffusion', 'autoregressive LLM only', 'withdrawn'."
    )


class Topic(_Strict):
    slug: Slug
    name: Text
    description: Text
    aliases: list[Text] = Field(default_factory=list, description="Headings other lists use for this topic.")


class Area(_Strict):
    slug: Slug
    name: Text
    description: Text
    topics: list[Topic] = Field(min_length=1)


class Taxonomy(_Strict):
    """``catalog/taxonomy.yaml``: two levels, areas then topics, slugs unique across both."""

    areas: list[Area] = Field(min_length=1)

    def topic_area(self) -> dict[str, Area]:
        """Map each topic slug to its area."""
        return {topic.slug: area for area in self.areas for topic in area.topics}

    def topics(self) -> dict[str, Topic]:
        return {topic.slug: topic for area in self.areas for topic in area.topics}
