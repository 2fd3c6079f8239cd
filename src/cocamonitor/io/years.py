"""Years typed by a user: ``2024``, ``2015-2024`` or a list ``2019,2021-2023``.

One grammar and one set of messages for every ``years`` / ``year`` option and query
parameter, so that the same text means the same years everywhere.

Examples
--------
>>> parse_years("2019,2021-2023")
[2019, 2021, 2022, 2023]
>>> parse_year_span("2015-2024"), parse_year_span(" 2024 ")
((2015, 2024), (2024, 2024))

"""

from __future__ import annotations

import re

from cocamonitor.errors import InputError

__all__ = ["MAX_YEARS", "parse_year_span", "parse_years"]

#: The most years one option may name (a guard against typos such as 2015-20245).
MAX_YEARS = 201

_ITEM = re.compile(r"\s*(\d{4})\s*(?:[-:]\s*(\d{4}))?\s*")


def _span(part: str, text: str, where: str, hint: str) -> tuple[int, int]:
    m = _ITEM.fullmatch(part)
    if not m:
        raise InputError(f"cannot read the years {text.strip()!r}", where=where, hint=hint)
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    if b < a:
        raise InputError(f"the range {part.strip()!r} runs backwards", where=where, hint=f"write {b}-{a}")
    if b - a + 1 > MAX_YEARS:
        raise InputError(f"{part.strip()!r} names {b - a + 1} years", where=where,
                         hint=f"at most {MAX_YEARS}; check the range")
    return a, b


def parse_year_span(text: str, *, where: str = "years") -> tuple[int, int]:
    """Read one year or one range into ``(first, last)``.

    Raises
    ------
    InputError
        Text that is not ``YYYY`` or ``YYYY-YYYY``, or a range that runs backwards.

    """
    return _span(str(text), str(text), where, "write one year (2024) or a range (2015-2024)")


def parse_years(text: str, *, where: str = "years") -> list[int]:
    """Read years, ranges and comma-separated lists of them into sorted distinct years.

    Raises
    ------
    InputError
        An item that is not ``YYYY`` or ``YYYY-YYYY``, or a range that runs backwards.

    """
    hint = "write one year (2024), a range (2015-2024) or a list (2019,2021-2023)"
    years: set[int] = set()
    for part in str(text).split(","):
        a, b = _span(part, str(text), where, hint)
        years.update(range(a, b + 1))
    return sorted(years)
