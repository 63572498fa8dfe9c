"""arXiv ids and URLs in every form people write them, read by the one module that knows them."""

from __future__ import annotations

import pytest

from dllm_atlas.arxivid import canonical_id, find_in_text, find_in_url, month_of, parse_url


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2502.09992", "2502.09992"),
        ("arxiv:2502.09992", "2502.09992"),
        ("arXiv:2502.09992v3", "2502.09992"),
        ("https://arxiv.org/abs/2502.09992", "2502.09992"),
        ("https://arxiv.org/abs/2502.09992v2", "2502.09992"),
        ("http://arxiv.org/pdf/2502.09992v1.pdf", "2502.09992"),
        ("https://www.arxiv.org/pdf/2502.09992", "2502.09992"),
        ("https://export.arxiv.org/abs/2502.09992", "2502.09992"),
        ("https://arxiv.org/html/2511.08923v1", "2511.08923"),
        ("arxiv.org/abs/2502.09992/", "2502.09992"),
        ("https://arxiv.org/abs/cs/0112017", "cs/0112017"),
        ("https://arxiv.org/abs/math/0601001v2", "math/0601001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("  2406.07524 ", "2406.07524"),
    ],
)
def test_canonical_id_accepts_every_usual_form(text, expected):
    assert canonical_id(text) == expected


@pytest.mark.parametrize("text", ["", "2502.999", "https://example.org/abs/2502.09992", "llada", "javascript:alert(1)"])
def test_canonical_id_refuses_what_is_not_an_arxiv_id(text):
    with pytest.raises(ValueError, match="not an arXiv id"):
        canonical_id(text)


def test_parse_url_tells_page_and_version_apart():
    parsed = parse_url("https://arxiv.org/pdf/2502.09992v2.pdf")
    assert (parsed.page, parsed.id, parsed.version) == ("pdf", "2502.09992", "v2")
    assert parsed.canonical == "https://arxiv.org/abs/2502.09992"
    assert parse_url("https://github.com/ML-GSAI/LLaDA") is None


def test_ids_are_found_in_links_and_text_but_not_in_other_numbers():
    assert find_in_url("https://alphaxiv.org/proxy/arxiv.org/abs/2505.15781v1") == "2505.15781"
    assert find_in_url("https://github.com/x/2505.15781") is None
    assert find_in_text("Accepted; see arXiv:2402.07754v3 for details") == "2402.07754"
    assert find_in_text("[paper](https://arxiv.org/abs/math/0601001)") == "math/0601001"
    assert find_in_text("version 2025.10 of the tool") is None


def test_month_of_new_style_ids_only():
    assert month_of("2502.09992") == (2025, 2)
    assert month_of("2513.00001") is None
    assert month_of("cs/0112017") is None
