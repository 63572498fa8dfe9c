"""Waiting politely: the one parser of HTTP ``Retry-After`` used by every client of the package.

``retry_after_seconds("120")`` → 120.0; ``retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT", now)``
→ the seconds from ``now`` until then (never negative); anything else → None, so the caller falls
back to its own backoff.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT; the parser leaves "-0000" naive
        when = when.replace(tzinfo=dt.UTC)
    current = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - current).total_seconds())
