"""Dates as awesome lists write them, with the precision the list gives.

:func:`find_date` returns the first date in a piece of plain text as a :class:`ListedDate`:

* a day: ``14 Feb 2025``, ``14 February 2025``, ``Feb 14, 2025``, ``February 14th, 2025``,
  ``2025-2-14``, ``2025.02.14``, ``2025/02/14``, ``08/14/2025`` (month first, as US lists write it;
  day first when the first number cannot be a month);
* a month: ``Feb 2025``, ``February 2025``, ``2024 Feb``, ``2025.02``, ``2025-02``, ``2025/02``, ``06/2025``.
  The date is then the month's first day with ``precision == "month"``: a day is never invented.

A year alone (``ICLR 2024``, ``2025``) is not a date. Years outside 1990–2099 are ignored, so arXiv
ids (``2502.09992``) are never read as dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
MONTHS.update({name[:3]: number for name, number in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = r"(?P<month>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_NUM_MONTH = r"(?P<month>[01]?\d)"
_NOT_DIGIT_AFTER = r"(?![\d.]*\d)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), precision)
    for pattern, precision in (
        (rf"(?<![\w.]){_DAY}\s+{_MONTH},?\s+{_YEAR}\b", "day"),
        (rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", "day"),
        (rf"(?<![\w.]){_YEAR}[-./]{_NUM_MONTH}[-./]{_DAY}(?![\w])", "day"),
        (rf"(?<![\w./]){_NUM_MONTH}/{_DAY}/{_YEAR}\b", "day"),
        (rf"(?<![\w./])(?P<day>[1-3]\d)/(?P<month>[01]?\d)/{_YEAR}\b", "day"),
        (rf"\b{_MONTH},?\s+{_YEAR}\b", "month"),
        (rf"\b{_YEAR},?\s+{_MONTH}(?![\w-])", "month"),
        (rf"(?<![\w./]){_YEAR}[-./]{_NUM_MONTH}(?![\w-]|\.\d|/\d){_NOT_DIGIT_AFTER}", "month"),
        (rf"(?<![\w./-]){_NUM_MONTH}/{_YEAR}\b", "month"),
    )
)


@dataclass(frozen=True)
class ListedDate:
    """A date found in a list: the day itself, or the month's first day with ``precision="month"``."""

    date: dt.date
    precision: str  # "day" or "month"
    start: int
    end: int


def _month_number(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    return MONTHS.get(raw.lower().rstrip("."), MONTHS.get(raw.lower()[:3]))


def find_dates(text: str) -> list[ListedDate]:
    """Every date in ``text``, in order of appearance, overlapping matches resolved for the day."""
    found: list[ListedDate] = []
    for pattern, precision in _PATTERNS:
        for match in pattern.finditer(text):
            if any(f.start <= match.start() < f.end or match.start() <= f.start < match.end() for f in found):
                continue
            parts = match.groupdict()
            month = _month_number(parts["month"])
            if month is None:
                continue
            try:
                day = int(parts["day"]) if precision == "day" else 1
                found.append(ListedDate(dt.date(int(parts["year"]), month, day), precision, *match.span()))
            except ValueError:
                continue
    return sorted(found, key=lambda f: f.start)


def find_date(text: str) -> ListedDate | None:
    """The first date in ``text``, or None (a year alone is not a date)."""
    dates = find_dates(text)
    return dates[0] if dates else None


def strip_dates(text: str) -> str:
    """``text`` without its dates (to tell a title from the date beside it)."""
    for found in reversed(find_dates(text)):
        text = text[: found.start] + " " + text[found.end :]
    return text
