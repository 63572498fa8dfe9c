"""The hostile-input YAML reader: what it refuses, where it says so, and what it keeps as text."""

from __future__ import annotations

import pytest

from dllm_atlas.safeyaml import MAX_BYTES, MAX_DEPTH, YamlError, decode, parse


def error_of(text: str) -> YamlError:
    with pytest.raises(YamlError) as info:
        parse(text)
    return info.value


def test_scalars_stay_strings_so_yaml_11_typing_cannot_bite():
    data, _ = parse("arxiv: 2401.10100\nflag: NO\nversion: 1.10\nn: 4096\n")
    assert data == {"arxiv": "2401.10100", "flag": "NO", "version": "1.10", "n": "4096"}


def test_plain_nulls_become_none_but_quoted_empty_stays_text():
    data, _ = parse('a:\nb: ~\nc: null\nd: ""\n')
    assert data == {"a": None, "b": None, "c": None, "d": ""}


def test_positions_are_one_based_key_positions_and_item_positions():
    _, pos = parse("title: x\nlinks:\n  code: y\ntopics:\n  - a\n  - b\n")
    assert pos[("links", "code")] == (3, 3)
    assert pos[("topics", 1)] == (6, 5)


def test_alias_is_refused_at_its_position():
    err = error_of("a: x\nb: *x\n")
    assert "aliases are not allowed" in err.message or "anchors" in err.message


def test_anchor_is_refused_at_its_position():
    err = error_of("a: &x 1\nb: 2\n")
    assert err.message == "YAML anchors are not allowed"
    assert (err.line, err.column) == (1, 4)


def test_alias_bomb_is_refused_before_expansion():
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    err = error_of(bomb)
    assert "anchors are not allowed" in err.message
    assert err.line == 1


def test_python_tags_never_construct_objects():
    err = error_of("title: !!python/object/apply:os.system ['echo pwned']\n")
    assert "tags are not allowed" in err.message
    assert (err.line, err.column) == (1, 8)


def test_duplicate_keys_are_refused_naming_the_first():
    err = error_of("title: a\nkind: paper\ntitle: b\n")
    assert err.message == "duplicate key 'title' (first defined on line 1)"
    assert (err.line, err.column) == (3, 1)


def test_duplicate_keys_in_nested_mapping():
    err = error_of("links:\n  code: a\n  code: b\n")
    assert "duplicate key 'code'" in err.message
    assert (err.line, err.column) == (3, 3)


def test_depth_is_bounded():
    text = "a: " + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "\n"
    assert "nesting deeper than" in error_of(text).message


def test_size_is_bounded():
    with pytest.raises(YamlError, match="limit is"):
        decode(b"a: " + b"x" * MAX_BYTES)


def test_non_utf8_is_located():
    with pytest.raises(YamlError) as info:
        decode(b"title: ok\nsummary: caf\xe9\n")
    assert "not valid UTF-8" in info.value.message
    assert (info.value.line, info.value.column) == (2, 13)


def test_multiple_documents_are_refused():
    err = error_of("a: 1\n---\nb: 2\n")
    assert err.message == "a file must hold exactly one YAML document"
    assert err.line == 2


def test_syntax_error_is_located():
    err = error_of("a: [1, 2\nb: 3\n")
    assert err.message.startswith("invalid YAML")
    assert err.line == 2


def test_complex_keys_are_refused():
    assert "keys must be plain strings" in error_of("? [a, b]\n: c\n").message
