"""A site that stays light (issue 12): what the pages and data files hold, asserted by structure
rather than by timing; one size budget on a synthetic 1,000-entry build."""

from __future__ import annotations

from pathlib import Path

from dllm_atlas import site


def test_largest_files_lists_pages_and_data_largest_first(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("x" * 30)
    (tmp_path / "b.json").write_text("x" * 50)
    (tmp_path / "c.html").write_text("x" * 30)
    (tmp_path / "big.css").write_text("x" * 500)  # not a page or data file
    assert site.largest_files(tmp_path) == [("b.json", 50), ("a/index.html", 30), ("c.html", 30)]
    assert site.largest_files(tmp_path, 1) == [("b.json", 50)]
