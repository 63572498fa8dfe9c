"""Code and model activity: the data file ``dllm-atlas enrich`` writes and the site reads.

``data/activity.json`` (generated; see :mod:`dllm_atlas.enrich`)::

    {"taken": "2026-12-01",
     "github": {"ml-gsai/llada": {"stars": 3100, "pushed": "2026-11-20", "archived": false}},
     "huggingface": {"gsai-ml/llada-8b-instruct": {"downloads": 51234, "likes": 280}}}

Keys are ``owner/name`` in lower case (:func:`github_key`, :func:`huggingface_key` read them from
an entry's links). :func:`read` returns None when the file is absent (the site builds without it)
and raises :class:`ActivityError` with the file and field when it is malformed;
:func:`of_entry` gives the site what one entry shows, with ``stale`` judged against the date the
data was taken (not the build date, so a build is reproducible).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .models import Links

ACTIVITY_FILE = Path("data") / "activity.json"
STALE_AFTER = dt.timedelta(days=365)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]+/[a-z0-9_.-]+$", max_length=200)]
_GITHUB = re.compile(r"^https?://(?:www\.)?github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?(?:[/?#].*)?$")
# huggingface.co/<org>/<name>, but not /datasets/…, /spaces/…, /collections/…, /papers/…, /blog/…
_HF = re.compile(r"^https?://(?:www\.)?huggingface\.co/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)/?(?:[/?#].*)?$")
_HF_NOT_MODELS = {"datasets", "spaces", "collections", "papers", "blog", "docs", "organizations", "api", "models"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Repository(_Strict):
    stars: int = Field(ge=0)
    pushed: dt.date | None = None
    archived: bool = False


class HubModel(_Strict):
    downloads: int = Field(ge=0)
    likes: int = Field(ge=0)


class ActivityData(_Strict):
    taken: dt.date
    github: dict[Key, Repository] = Field(default_factory=dict)
    huggingface: dict[Key, HubModel] = Field(default_factory=dict)


class ActivityError(ValueError):
    """The data file cannot be used; the message names it and the field at fault."""


def github_key(url: str | None) -> str | None:
    """``owner/name`` of a GitHub repository URL, lower case; None for anything else."""
    match = _GITHUB.match(str(url)) if url else None
    return f"{match.group(1)}/{match.group(2)}".lower() if match else None


def huggingface_key(url: str | None) -> str | None:
    """``org/name`` of a Hugging Face model URL, lower case; None for datasets, spaces, collections."""
    match = _HF.match(str(url)) if url else None
    if not match or match.group(1).lower() in _HF_NOT_MODELS:
        return None
    return f"{match.group(1)}/{match.group(2)}".lower()


def read(path: Path) -> ActivityData | None:
    """The data file, or None when there is none; :class:`ActivityError` when it is malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ActivityError(f"{path}: cannot read it ({exc})") from None
    try:
        return ActivityData.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ActivityError(f"{path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "the file"
        raise ActivityError(f"{path}: {where}: {first['msg']} (run 'dllm-atlas enrich' to rewrite it)") from None


def dump(data: ActivityData) -> str:
    """The file's text: sorted keys, one repository per line block, so weekly diffs stay readable."""
    return json.dumps(data.model_dump(mode="json"), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class EntryActivity:
    """What an entry's page and the tables show: its repository's and its model's figures."""

    taken: dt.date
    stars: int | None = None
    pushed: dt.date | None = None
    archived: bool = False
    stale: bool = False  # no push for over a year before ``taken``
    downloads: int | None = None
    likes: int | None = None

    @property
    def has_code(self) -> bool:
        return self.stars is not None


def of_entry(links: Links, data: ActivityData | None) -> EntryActivity | None:
    """The activity known for an entry's code and Hugging Face links, or None."""
    if data is None:
        return None
    repo = data.github.get(github_key(str(links.code)) or "") if links.code else None
    hub = data.huggingface.get(huggingface_key(str(links.huggingface)) or "") if links.huggingface else None
    if repo is None and hub is None:
        return None
    return EntryActivity(
        taken=data.taken,
        stars=repo.stars if repo else None,
        pushed=repo.pushed if repo else None,
        archived=repo.archived if repo else False,
        stale=bool(repo and repo.pushed and repo.pushed < data.taken - STALE_AFTER),
        downloads=hub.downloads if hub else None,
        likes=hub.likes if hub else None,
    )
