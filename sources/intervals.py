"""Fetch intervals of catalog sources: parse ``"30m"``, ``"2h"``, ``"1d"``, ``"1h30m"`` or seconds, and format back.

Kept apart from the catalog so the admin UI and the scheduler can use it without the catalog's YAML
machinery. Bounds: at least one minute (nobody should poll a public authority faster), at most seven days
(a source checked less often is effectively dead and should be disabled instead).
"""

from __future__ import annotations

import re
from datetime import timedelta

MIN_INTERVAL = timedelta(seconds=60)
MAX_INTERVAL = timedelta(days=7)

_UNITS: dict[str, int] = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_PART = re.compile(r"\s*(\d{1,7})\s*([dhms])", re.IGNORECASE)
_EXAMPLES = "use e.g. 90s, 30m, 2h, 1d, 1h30m or a whole number of seconds"


def parse_interval(value: str | int) -> timedelta:
    """Return the interval as a timedelta; raise ValueError with a plain-words message otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{value!r} is not an interval; {_EXAMPLES}")
    seconds = value if isinstance(value, int) else _parse_text(value)
    interval = timedelta(seconds=seconds)
    if interval < MIN_INTERVAL:
        raise ValueError(f"{value!r} is shorter than the minimum of {format_interval(MIN_INTERVAL)}")
    if interval > MAX_INTERVAL:
        raise ValueError(f"{value!r} is longer than the maximum of {format_interval(MAX_INTERVAL)}")
    return interval


def _parse_text(text: str) -> int:
    stripped = text.strip()
    if stripped.isdigit() and stripped.isascii():
        return int(stripped)
    total, pos, seen = 0, 0, set[str]()
    for match in _PART.finditer(stripped):
        unit = match.group(2).lower()
        if match.start() != pos or unit in seen:
            break
        seen.add(unit)
        total += int(match.group(1)) * _UNITS[unit]
        pos = match.end()
    if not seen or pos != len(stripped):
        raise ValueError(f"{text!r} is not an interval; {_EXAMPLES}")
    return total


def format_interval(interval: timedelta) -> str:
    """The canonical text form, e.g. ``"1h30m"``; ``parse_interval(format_interval(x)) == x``."""
    remaining = int(interval.total_seconds())
    if remaining <= 0:
        return "0s"
    parts = []
    for unit, size in _UNITS.items():
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
