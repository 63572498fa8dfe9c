"""``dllm-atlas export json``: the whole catalog as one document."""

from __future__ import annotations

import json


def test_export_has_taxonomy_and_every_entry_with_named_fields(catalog, cli):
    result = cli("export", "json")
    assert result.code == 0
    doc = json.loads(result.out)
    assert [a["slug"] for a in doc["taxonomy"]["areas"]][:2] == ["foundations", "models"]
    by_id = {e["id"]: e for e in doc["entries"]}
    assert set(by_id) == {"mdlm", "llada"}
    llada = by_id["llada"]
    for key in ("id", "kind", "title", "authors", "date", "arxiv", "links", "topics", "summary", "relations"):
        assert key in llada
    assert llada["date"] == "2025-02-14" and llada["arxiv"] == "2502.09992"
    assert llada["relations"]["builds_on"] == ["mdlm"]
    assert llada["parameters"] == ["8B"]
    assert llada["url"] == "entries/llada/"
    assert [e["id"] for e in doc["entries"]] == ["llada", "mdlm"]  # newest first


def test_export_to_file_is_written_and_matches_stdout(catalog, cli, tmp_path):
    out = tmp_path / "out" / "catalog.json"
    assert cli("export", "json", "-o", str(out)).code == 0
    assert json.loads(out.read_text()) == json.loads(cli("export", "json").out)


def test_export_refuses_an_invalid_catalog_and_writes_nothing(catalog, cli, tmp_path):
    catalog.write("papers/x.yaml", "kind: paper\n")
    out = tmp_path / "catalog.json"
    result = cli("export", "json", "-o", str(out))
    assert result.code == 1
    assert "catalog/papers/x.yaml:1:1: title: required field is missing" in result.err
    assert not out.exists()
