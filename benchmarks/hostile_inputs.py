"""Time `dllm-atlas validate` on each class of hostile input (not a test: a measurement).

Usage: .venv/bin/python benchmarks/hostile_inputs.py [--repeat N]

Two sets: the cases below (each a one-file catalog plus the real taxonomy), and every class of the
corpus in tests/hostile/ (dropped into a small valid catalog, as tests/test_hostile.py does). The
script runs the validator in-process N times per case and prints the median wall time, the exit code
and the first line of the report, so a regression to a slow path (an alias bomb reaching pydantic,
say) shows up as a number; the corpus's target is under a second per class.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dllm_atlas.cli import main

ROOT = Path(__file__).resolve().parents[1]
CASES: dict[str, bytes] = {
    "alias bomb (9^6)": (
        'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + "".join(f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcde", "bcdef", strict=False))
    ).encode(),
    "python tag": b"kind: !!python/object/apply:os.system ['id']\n",
    "duplicate key": b"kind: paper\nkind: paper\n",
    "non-UTF-8": b"kind: paper\ntitle: caf\xe9\n",
    "non-mapping": b"- a\n- b\n",
    "deep nesting": b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "oversized (1 MiB)": b"kind: paper\n" + b"#" * (1 << 20) + b"\n",
    "javascript: URL": (
        b'kind: paper\ntitle: "x"\ndate: 2025-01-01\nlinks:\n  code: javascript:alert(1)\n'
        b"topics: [theory]\nadded: 2026-11-26\n"
    ),
    "raw HTML title": (
        b'kind: paper\ntitle: "<script>x</script>"\ndate: 2025-01-01\ntopics: [theory]\nadded: 2026-11-26\n'
    ),
    "path-escaping relation": (
        b'kind: paper\ntitle: "x"\ndate: 2025-01-01\ntopics: [theory]\nrelations:\n  builds_on: ["../../etc/passwd"]\n'
        b"added: 2026-11-26\n"
    ),
    "10k-item list": b"kind: paper\ntopics: [" + b",".join([b"a"] * 10_000) + b"]\n",
}


def _time_validate(folder: str, repeat: int) -> tuple[float, int, str]:
    """Median wall time of in-process ``validate`` run in ``folder``, its exit code and first line."""
    times, code, first = [], 0, ""
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        for _ in range(repeat):
            out = io.StringIO()
            start = time.perf_counter()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                code = main(["validate"])
            times.append(time.perf_counter() - start)
            first = out.getvalue().splitlines()[0] if out.getvalue() else ""
    finally:
        os.chdir(cwd)
    return statistics.median(times), code, first


def run_case(content: bytes, repeat: int) -> tuple[float, int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        cat = Path(tmp) / "catalog"
        (cat / "papers").mkdir(parents=True)
        shutil.copy(ROOT / "catalog" / "taxonomy.yaml", cat / "taxonomy.yaml")
        (cat / "papers" / "case.yaml").write_bytes(content)
        return _time_validate(tmp, repeat)


def run_corpus_case(case: str, repeat: int) -> tuple[float, int, str]:
    sys.path.insert(0, str(ROOT))
    from tests.test_hostile import hostile_project

    with tempfile.TemporaryDirectory() as tmp:
        hostile_project(case, Path(tmp))
        return _time_validate(tmp, repeat)


def main_cli() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| case | median ms | exit | first line of the report |\n|---|---|---|---|")
    for name, content in CASES.items():
        seconds, code, first = run_case(content, args.repeat)
        print(f"| {name} | {seconds * 1000:.1f} | {code} | `{first[:90]}` |")
    for case in sorted(p.name for p in (ROOT / "tests" / "hostile").iterdir() if p.is_dir()):
        seconds, code, first = run_corpus_case(case, args.repeat)
        print(f"| corpus {case} | {seconds * 1000:.1f} | {code} | `{first[:90]}` |")


if __name__ == "__main__":
    main_cli()
