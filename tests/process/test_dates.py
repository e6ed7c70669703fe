from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from process.dates import parse_date, sanitize_datetime
from tests.process.conftest import NOW


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24. März 2020", utc(2020, 3, 23, 23)),  # midnight Berlin (CET)
        ("24.03.2020", utc(2020, 3, 23, 23)),
        ("24.3.20", utc(2020, 3, 23, 23)),
        ("Di, 24. Mär 2020 10:00:00 +0100", utc(2020, 3, 24, 9)),
        ("Stand: 12. März 2021", utc(2021, 3, 11, 23)),
        ("Dienstag, 24. März 2020, 14:30 Uhr", utc(2020, 3, 24, 13, 30)),
        ("03.04.2020", utc(2020, 4, 2, 22)),  # 3 April, CEST
        ("03.04.2020 08:15", utc(2020, 4, 3, 6, 15)),
        ("Veröffentlicht am 1. Juli 2020", utc(2020, 6, 30, 22)),
        ("vom 05.01.2021", utc(2021, 1, 4, 23)),
        ("12. Dezember 2019 um 9.30 Uhr", utc(2019, 12, 12, 8, 30)),
        ("29.03.2020 03:30", utc(2020, 3, 29, 1, 30)),  # first hour of summer time
        ("25.10.2020 01:30", utc(2020, 10, 24, 23, 30)),  # still summer time
        ("Tue, 24 Mar 2020 10:00:00 GMT", utc(2020, 3, 24, 10)),
        ("Tue, 24 Mar 2020 10:00:00 +0200", utc(2020, 3, 24, 8)),
        ("2020-03-24T10:00:00Z", utc(2020, 3, 24, 10)),
        ("2020-03-24T10:00:00+01:00", utc(2020, 3, 24, 9)),
        ("2020-07-24T10:00", utc(2020, 7, 24, 8)),  # naive ISO is Berlin local time
        ("2020-03-24", utc(2020, 3, 23, 23)),
        ("  Mittwoch,\n 1. April 2020 ", utc(2020, 3, 31, 22)),
    ],
)
def test_parse_date_valid(text: str, expected: datetime) -> None:
    parsed, warnings = parse_date(text, now=NOW)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC
    assert warnings == []


@pytest.mark.parametrize(
    "text",
    [
        "März 2020",  # month only: no day → NULL (documented)
        "31.02.2020",
        "32.01.2020",
        "24.13.2020",
        "01.01.1970",
        "01.01.1989",
        "01.01.2099",
        "20.01.2026",  # beyond now + 2 days
        "morgen",
        "24.03.2020 25:00",
        "Sun, 16 zzz 2012 11:47:32 GMT",
    ],
)
def test_parse_date_rejected_with_warning(text: str) -> None:
    parsed, warnings = parse_date(text, now=NOW)
    assert parsed is None
    assert len(warnings) == 1 and text.strip() in warnings[0]


@pytest.mark.parametrize("text", [None, "", "   "])
def test_parse_date_missing_is_silent(text: str | None) -> None:
    assert parse_date(text, now=NOW) == (None, [])


def test_near_future_is_kept() -> None:
    parsed, _ = parse_date("16.01.2026 20:00", now=NOW)
    assert parsed == utc(2026, 1, 16, 19)


@pytest.mark.parametrize(
    ("value", "expected", "warned"),
    [
        (None, None, False),
        (datetime(2020, 3, 24, 10), utc(2020, 3, 24, 10), False),  # naive feed struct = UTC
        (datetime(2020, 3, 24, 10, tzinfo=timezone(timedelta(hours=2))), utc(2020, 3, 24, 8), False),
        (datetime(1970, 1, 1), None, True),
        (NOW + timedelta(days=30), None, True),
    ],
)
def test_sanitize_datetime(value: datetime | None, expected: datetime | None, warned: bool) -> None:
    parsed, warnings = sanitize_datetime(value, now=NOW)
    assert parsed == expected
    assert bool(warnings) is warned


# feedparser's own date cases. Divergences by design: naive times are Europe/Berlin here (feedparser: UTC);
# years before 1990 are absurd; feedparser's exotic ISO shorthands ("-0312", "03335") and the Greek,
# Hungarian and Korean parsers are not supported (no German source writes them).
_BY_DESIGN = {"_parse_date_greek", "_parse_date_hungarian", "_parse_date_nate", "_parse_date_onblog"}


def test_feedparser_date_cases(corpus_dir: Path) -> None:
    path = corpus_dir / "feedparser-tests" / "date_parser_cases.json"
    if not path.exists():
        pytest.skip("date_parser_cases.json absent")
    cases = [c for c in json.loads(path.read_text("utf-8")) if c["parser"] not in _BY_DESIGN and c["input"]]
    agree = compared = wrong = 0
    for case in cases:
        parsed, _ = parse_date(case["input"], now=NOW)
        expected = case["expected_time_struct_utc"]
        if expected is None:
            assert parsed is None, case  # nothing feedparser rejects may be accepted here
            continue
        if parsed is None:
            continue
        compared += 1
        if parsed == utc(*expected[:6]):
            agree += 1
        elif _naive(case["input"]):
            assert parsed - utc(*expected[:6]) in (timedelta(hours=-1), timedelta(hours=-2)), case
        else:
            wrong += 1
    assert wrong == 0
    assert compared >= 30
    assert agree / compared >= 0.85


def _naive(text: str) -> bool:
    return text[-1].isdigit() and not any(sign in text[10:] for sign in "+Z") and "GMT" not in text
