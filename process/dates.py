"""Dates as sources write them → aware UTC datetimes, or None with a warning.

Understood: German long and numeric forms ("24. März 2020", "24.03.2020", "24.3.20", "Di, 24. Mär 2020
10:00:00 +0100", "Stand: 12. März 2021", "Dienstag, 24. März 2020, 14:30 Uhr"), RFC 822/1123 and asctime
(English), ISO 8601 / W3CDTF. Dotted numeric dates are ALWAYS day first ("03.04.2020" is 3 April).
Times without a zone are Europe/Berlin wall-clock time. A month without a day ("März 2020") is too vague
for a publication date: it yields None with a warning (``first_seen_at`` still orders the item).
Dates before 1990 or more than ``FUTURE_TOLERANCE`` ahead of ``now`` are rejected as absurd.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# Two days covers any zone mix-up (≤ 26 h) and embargoed releases dated "tomorrow"; more would pin a
# wrongly dated item to the top of the rubric.
FUTURE_TOLERANCE = timedelta(days=2)

MONTHS = {  # month names and abbreviations (German, English) → number
    "jan": 1, "januar": 1, "jänner": 1, "january": 1,
    "feb": 2, "februar": 2, "february": 2,
    "mär": 3, "mar": 3, "mrz": 3, "märz": 3, "maerz": 3, "march": 3,
    "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oct": 10, "oktober": 10, "october": 10,
    "nov": 11, "november": 11,
    "dez": 12, "dec": 12, "dezember": 12, "december": 12,
}  # fmt: skip
_ZONES = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0, "etc/gmt": 0, "wet": 0,
    "met": 60, "cet": 60, "mez": 60, "west": 60, "bst": 60,
    "mest": 120, "cest": 120, "mesz": 120, "eet": 120, "eest": 180,
    "at": -240, "adt": -180, "ast": -240,
    "et": -300, "est": -300, "edt": -240,
    "ct": -360, "cst": -360, "cdt": -300,
    "mt": -420, "mst": -420, "mdt": -360,
    "pt": -480, "pst": -480, "pdt": -420,
}  # fmt: skip
_WEEKDAYS = (
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "mo|di|mi|do|fr|sa|so|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
)
_PREFIX = re.compile(
    r"^(?:stand|datum|veröffentlicht|aktualisiert|erstellt|geändert|zuletzt|am|vom|den|"
    rf"published|updated|date|on|{_WEEKDAYS})\b\.?\s*[:,]?\s*",
    re.IGNORECASE,
)
_MONTH = r"(?P<mon>[^\W\d_]{3,9})\.?"
_YEAR = r"(?P<y>\d{4}|\d{2})"
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),  # ISO
    re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"),  # 2006/09/15
    re.compile(rf"(?P<d>\d{{1,2}})\.\s?(?P<m>\d{{1,2}})\.\s?{_YEAR}(?!\d)"),  # 24.03.2020, 24.3.20
    re.compile(rf"(?P<d>\d{{1,2}})\.?\s*{_MONTH}\s*,?\s*{_YEAR}(?![\d:])"),  # 24. März 2020
    re.compile(rf"{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}(?![\d:])"),  # Aug 30 2012
    re.compile(rf"{_MONTH}\s+(?P<d>\d{{1,2}})(?=\s+\d{{1,2}}:)"),  # asctime: year comes after the time
)
_MONTH_ONLY = re.compile(rf"^{_MONTH}\s+(?P<y>\d{{4}})$")
_W3C_PARTIAL = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2}))?$")
_TIME = re.compile(
    r"^(?:t|\s*,?\s*(?:um\s+)?)(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"(?:\s*(?P<ampm>am|pm)\b)?(?:\s*uhr\b)?",
    re.IGNORECASE,
)
_ZONE = re.compile(
    r"^\s*(?:(?P<name>etc/gmt|[a-z]{1,4})?\s*(?P<sign>[+-])(?P<zh>\d{1,2}):?(?P<zm>\d{2})?|(?P<only>etc/gmt|[a-z]{1,5}))",
    re.IGNORECASE,
)
_TRAILING_YEAR = re.compile(r"^\s*(?P<y>\d{4})")
_DETAIL = r"[\s,]*(?:\((?P<paren>[^)]*)\))?[\s,.]*$"


def parse_date(text: str | None, *, now: datetime) -> tuple[datetime | None, list[str]]:
    """Parse a date as delivered; returns (aware UTC datetime or None, warnings). Never raises."""
    if text is None or not text.strip():
        return None, []
    cleaned = _strip_prefixes(" ".join(text.split()))
    try:
        parsed = _parse(cleaned)
    except (ValueError, OverflowError) as exc:
        return None, [f"date: invalid {text!r} ({exc})"]
    if parsed is None:
        if _MONTH_ONLY.match(cleaned):
            return None, [f"date: only a month in {text!r}, no day; left empty"]
        return None, [f"date: unparseable {text!r}"]
    return _bounded(parsed, now, text)


def sanitize_datetime(dt: datetime | None, *, now: datetime) -> tuple[datetime | None, list[str]]:
    """A structured date from a feed: naive means UTC (feed structs are UTC), then the same bounds."""
    if dt is None:
        return None, []
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=UTC)
    return _bounded(dt, now, dt.isoformat())


def _bounded(dt: datetime, now: datetime, shown: str) -> tuple[datetime | None, list[str]]:
    utc = dt.astimezone(UTC)
    if utc < EARLIEST:
        return None, [f"date: absurd (before 1990) {shown!r}"]
    if utc > _aware(now) + FUTURE_TOLERANCE:
        return None, [f"date: in the future {shown!r}"]
    return utc, []


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _strip_prefixes(text: str) -> str:
    while True:
        shorter = _PREFIX.sub("", text, count=1)
        if shorter == text:
            return text
        text = shorter


def _parse(text: str) -> datetime | None:
    partial = _W3C_PARTIAL.match(text)
    if partial:  # W3CDTF "2003" / "2003-12": the standard says first instant of the period, in UTC
        return datetime(int(partial["y"]), int(partial["m"] or 1), 1, tzinfo=UTC)
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            return _with_time(match, text[match.end() :])
    return None


def _with_time(date: re.Match[str], rest: str) -> datetime | None:
    groups = date.groupdict()
    month = _month(groups)
    if month is None:
        return None
    hour = minute = second = 0
    time = _TIME.match(rest)
    if time:
        hour, minute, second = int(time["H"]), int(time["M"]), int(time["S"] or 0)
        hour = _ampm(hour, time["ampm"])
        rest = rest[time.end() :]
    tz, rest = _zone(rest) if time else (None, rest)  # a zone without a time ("2013-01-27-01") is junk
    year_text = groups.get("y")
    if year_text is None:  # asctime: "Sun Jan  4 16:29:06 2004" / "… +0000 2012"
        trailing = _TRAILING_YEAR.match(rest)
        if not trailing:
            return None
        year_text, rest = trailing["y"], rest[trailing.end() :]
    if not re.fullmatch(_DETAIL, rest, re.IGNORECASE):
        return None
    naive = datetime(_year(year_text), month, int(groups["d"]), hour, minute, second)
    return naive.replace(tzinfo=tz if tz is not None else BERLIN)


def _month(groups: dict[str, str | None]) -> int | None:
    if groups.get("m") is not None:
        return int(groups["m"] or 0)
    name = (groups.get("mon") or "").lower()
    return MONTHS.get(name, MONTHS.get(name[:3]))


def _ampm(hour: int, marker: str | None) -> int:
    if marker is None:
        return hour
    return hour % 12 + (12 if marker.lower() == "pm" else 0)


def _zone(rest: str) -> tuple[timezone | None, str]:
    match = _ZONE.match(rest)
    if not match:
        return None, rest
    if match["sign"]:
        name = (match["name"] or "").lower()
        if name and name not in {"gmt", "utc", "ut", "etc/gmt"}:
            return None, rest
        minutes = int(match["zh"]) * 60 + int(match["zm"] or 0)
        if minutes >= 24 * 60:
            raise ValueError("zone offset out of range")
        return timezone(timedelta(minutes=minutes if match["sign"] == "+" else -minutes)), rest[match.end() :]
    offset = _ZONES.get(match["only"].lower())
    if offset is None:
        return None, rest
    return timezone(timedelta(minutes=offset)), rest[match.end() :]


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # "24.3.20": two-digit years are this century up to 69, as POSIX strptime does
        year += 2000 if year < 70 else 1900
    return year
