"""Benchmark: arXiv-id recall and title quality of ``import-markdown`` on the field's lists.

Usage: python benchmarks/import_recall.py [FOLDER ...] [--missing]

Runs :func:`dllm_atlas.importer.import_list` on every ``*.md`` list in each FOLDER (default
``../shared/sources`` relative to the repository, plus ``tests/data/import``; a folder's
``README.md`` is not a list and is left out) against an empty catalog (a temporary folder holding
only ``catalog/taxonomy.yaml``), writing drafts into a temporary folder. Per list it prints:

* ``entries``: the works found (after merging duplicate listings);
* ``ids in file``: distinct arXiv ids in the file by a plain regex over its text, every link form
  (``arxiv.org/abs|pdf|html/`` with any host prefix and version, alphaXiv ``abs``, Hugging Face
  ``papers``, ``arXiv:ID`` text); image URLs such as thumbnails are not links and do not count;
* ``recovered``: how many of those ids are the arXiv id of some written draft, and ``recall``;
* ``label titles``: drafts whose title is a link label, badge text, id, date or empty
  (:func:`dllm_atlas.importer.is_label_title`).

``--missing`` also prints each id that no draft recovered, with the file lines that mention it.
``--hostile`` instead times :func:`dllm_atlas.importer.parse_markdown` on generated lists built to
make regular expressions backtrack (20–90 KB each: unclosed anchors, brackets, tags, thousands of
reference links) and prints the seconds each took, so a slow pattern shows up here, not in a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dllm_atlas import arxivid, importer, render  # noqa: E402
from dllm_atlas.load import load_catalog, load_taxonomy  # noqa: E402

HOSTILE = {
    "unclosed anchors": "- " + '<a href="' * 5000,
    "anchors never closed": '<a href="https://x.org/">' * 5000,
    "link openings": "- " + "[a](" * 5000,
    "image openings": "- " + "![a](" * 5000,
    "img tags without >": "- " + "<img " * 10000,
    "bold openings": "- " + "<b>" * 10000,
    "reference links": "[r]: https://a.org\n- " + "[r]" * 10000,
    "spaces": " " * 50000 + "x",
    "pipes": "|" * 20000,
    "br": "x<br>" * 20000,
    "3,000 distinct paragraph entries": "".join(
        f"**A Title Numbered {n}**\n[p](https://arxiv.org/abs/2501.{n:05d})\n\n" for n in range(3000)
    ),
}

ID_IN_FILE = re.compile(
    r"(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/|alphaxiv\.org/(?:abs|overview)/"
    rf"|huggingface\.co/papers/|\barxiv:\s*)({arxivid.ID})",
    re.I,
)


@dataclass
class Row:
    name: str
    entries: int
    ids: set[str]
    recovered: set[str]
    label_titles: list[str]

    @property
    def recall(self) -> float:
        return len(self.recovered) / len(self.ids) if self.ids else 1.0


def ids_in_file(text: str) -> set[str]:
    return {arxivid.canonical_id(m.group(1)) for m in ID_IN_FILE.finditer(text)}


def measure(path: Path, catalog_root: Path, out: Path) -> Row:
    text = path.read_text(encoding="utf-8")
    catalog = load_catalog(catalog_root)
    report = importer.import_list(text, catalog, out, render.environment(), dt.date(2026, 12, 1))
    written = [draft for draft, _ in report.written]
    ids = ids_in_file(text)
    return Row(
        path.name,
        report.found,
        ids,
        ids & {d.arxiv for d in written if d.arxiv},
        [d.title for d in written if importer.is_label_title(d.title)],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "folders", nargs="*", type=Path, default=[ROOT / "../shared/sources", ROOT / "tests/data/import"]
    )
    parser.add_argument("--missing", action="store_true", help="print every id no draft recovered")
    parser.add_argument("--hostile", action="store_true", help="time the parser on lists built to backtrack")
    args = parser.parse_args()
    if args.hostile:
        return hostile()
    lists = [p for folder in args.folders for p in sorted(folder.glob("*.md")) if p.name != "README.md"]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        catalog_root = Path(tmp) / "catalog"
        catalog_root.mkdir()
        shutil.copy(ROOT / "catalog" / "taxonomy.yaml", catalog_root / "taxonomy.yaml")
        for n, path in enumerate(lists):
            rows.append(measure(path, catalog_root, Path(tmp) / f"out{n}"))
            if args.missing:
                text = path.read_text(encoding="utf-8").splitlines()
                for missing in sorted(rows[-1].ids - rows[-1].recovered):
                    where = [f"{i}: {line.strip()[:140]}" for i, line in enumerate(text, 1) if missing in line]
                    print(f"  {path.name} missing {missing}: " + " | ".join(where[:3]))
                for title in rows[-1].label_titles:
                    print(f"  {path.name} label title: {title!r}")
    print("| List | Entries | arXiv ids in file | Recovered | Recall | Label titles |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row.name} | {row.entries} | {len(row.ids)} | {len(row.recovered)} | "
            f"{100 * row.recall:.1f}% | {len(row.label_titles)} |"
        )
    worst = min(rows, key=lambda r: r.recall) if rows else None
    if worst:
        print(
            f"\nlowest recall: {worst.name} {100 * worst.recall:.1f}%; label titles in all: "
            f"{sum(len(r.label_titles) for r in rows)}"
        )
    return 0


def hostile() -> int:
    taxonomy, _ = load_taxonomy(ROOT / "catalog")
    assert taxonomy is not None
    guesser = importer.TopicGuesser(taxonomy)
    print("| Input | Size | Seconds |\n|---|---:|---:|")
    for name, text in HOSTILE.items():
        start = time.perf_counter()
        importer.parse_markdown(text, guesser)
        print(f"| {name} | {len(text.encode()) // 1000} KB | {time.perf_counter() - start:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
