"""A synthetic catalog of any size, cloned from the real one, that validates.

Usage: .venv/bin/python benchmarks/synthetic.py SIZE DEST   (writes DEST/catalog)
In code: ``synthetic_catalog(dest, 3000)`` → the catalog root.

Clone *n* of entry ``x`` is ``x-copy<n>``; clones are made round by round (every entry's second copy,
then every third, …) until the catalog holds SIZE entries. In each clone:

* the title starts with "Copy n of", so titles stay distinct after normalisation;
* the arXiv id keeps the original's year and month (the date check holds) with a number of its
  own, unused by any real entry or exclusion;
* every URL gets a host of its own (``https://copy<n>.<host>/…``), so primary URLs stay unique
  (the arXiv paper link follows the new id);
* relations and ``supported_models`` point at the targets' clones of the same round when those
  exist, else at the originals: the relation graph keeps its shape.

The benchmarks (and the README budget test) measure outputs on these catalogs, never on copies of
text that would fail validation.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_ARXIV_LINE = re.compile(r'^arxiv: "(\d{4})\.(\d{4,5})"$', re.MULTILINE)
_ID_LIST = re.compile(r"^(  (?:builds_on|extends|related): |supported_models: )\[(.*)\]$", re.MULTILINE)


def _plan(sources: list[Path], size: int) -> list[tuple[Path, int]]:
    """(source file, copy number) for every clone, round by round, up to ``size`` entries in all."""
    plan: list[tuple[Path, int]] = []
    copy = 2
    while len(sources) + len(plan) < size:
        for path in sources:
            if len(sources) + len(plan) >= size:
                break
            plan.append((path, copy))
        copy += 1
    return plan


class _Ids:
    """Fresh arXiv numbers per month, above every number the real catalog or its exclusions use."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.next: dict[str, int] = {}

    def new(self, month: str, digits: int) -> str:
        number = self.next.get(month, 10 ** (digits - 1) * 5)
        while f"{month}.{number:0{digits}d}" in self.taken:
            number += 1
        self.next[month] = number + 1
        arxiv_id = f"{month}.{number:0{digits}d}"
        self.taken.add(arxiv_id)
        return arxiv_id


def _clone_ids(match: re.Match[str], n: int, planned: set[tuple[str, int]]) -> str:
    """A relation list pointing at the round-``n`` clones of its targets where they exist."""
    targets = [t.strip() for t in match.group(2).split(",") if t.strip()]
    mapped = [f"{t}-copy{n}" if (t, n) in planned else t for t in targets]
    return f"{match.group(1)}[{', '.join(mapped)}]"


def synthetic_catalog(dest: Path, size: int, source: Path = ROOT / "catalog") -> Path:
    """Write a catalog of ``size`` entries (at least the real ones) under ``dest``; its root."""
    root = dest / "catalog"
    shutil.copytree(source, root)
    sources = sorted(source.glob("*/*.yaml"))
    sources = [p for p in sources if p.parent != source]
    plan = _plan(sources, size)
    planned = {(p.stem, n) for p, n in plan}
    every_text = "".join(p.read_text(encoding="utf-8") for p in [*sources, source / "exclusions.yaml"] if p.exists())
    ids = _Ids(set(re.findall(r"\b(\d{4}\.\d{4,5})\b", every_text)))

    for path, n in plan:
        text = path.read_text(encoding="utf-8").replace('title: "', f'title: "Copy {n} of ', 1)
        text = text.replace("https://", f"https://copy{n}.")

        def new_arxiv(match: re.Match[str]) -> str:
            return f'arxiv: "{ids.new(match.group(1), len(match.group(2)))}"'

        text = _ARXIV_LINE.sub(new_arxiv, text)
        arxiv = _ARXIV_LINE.search(text)
        if arxiv:  # the paper link follows the clone's id (it is checked against it)
            text = re.sub(
                r"^  paper: https://copy\d+\.arxiv\.org/abs/.*$",
                f"  paper: https://arxiv.org/abs/{arxiv.group(1)}.{arxiv.group(2)}",
                text,
                flags=re.MULTILINE,
            )

        text = _ID_LIST.sub(lambda match, n=n: _clone_ids(match, n, planned), text)
        (root / path.parent.name / f"{path.stem}-copy{n}.yaml").write_text(text, encoding="utf-8")
    return root


if __name__ == "__main__":
    size, dest = int(sys.argv[1]), Path(sys.argv[2])
    print(synthetic_catalog(dest, size))
