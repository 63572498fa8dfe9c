"""The one Retry-After parser: seconds or an HTTP date, never negative, None when unusable."""

from __future__ import annotations

import datetime as dt

import pytest

from dllm_atlas.retry import retry_after_seconds

NOW = dt.datetime(2026, 10, 21, 7, 27, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("Wed, 21 Oct 2026 07:28:00 GMT", 60.0),
        ("Wed, 21 Oct 2026 07:26:00 GMT", 0.0),  # already past: retry now, never a negative wait
        ("Thu, 32 Oct 2026 07:28:00 GMT", None),  # no such day
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_values(value, seconds):
    assert retry_after_seconds(value, NOW) == seconds
