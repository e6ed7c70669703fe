"""Deadlines and validity in German text → a suggested ``expires_at`` staff can accept.

"Antragsfrist bis 30.06.2021", "gültig bis zum 31. März 2021", "Anträge können bis zum 15.4.2021 gestellt
werden", and the closing clause of a regulation, "Diese Richtlinie tritt … mit Ablauf des 31. Dezember 2029 außer
Kraft": the latest such date (end of that day, Europe/Berlin) is suggested, with the phrase as reason.

A validity ("gilt bis", "außer Kraft") counts only when the sentence is about the text as a whole: not when it
ends one part of it ("§ 4a tritt …", "Ziffer II … tritt …") or an earlier act ("Die Verordnung vom 27. November
2020 tritt mit Ablauf des … außer Kraft"), or states how long the EU's exemption regulation applies ("Die
Freistellungstatbestände der AGVO gelten bis …", standard in every funding regulation). The usual repeal of an
earlier act ("Gleichzeitig tritt die Richtlinie vom 9. Mai 2015 außer Kraft") names no date of its own end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from process.dates import BERLIN, MONTHS

_DATE = (
    r"(?P<d>\d{1,2})\.\s*(?:(?P<m>\d{1,2})\.\s*(?P<y>\d{4}|\d{2})\b|"
    r"(?P<mon>[A-Za-zäÄ]{3,9})\.?\s+(?P<y2>\d{4}))"
)
# Every alternative starts with a letter written out, none with a group: then the regular-expression engine skips
# each position whose character cannot start a trigger, instead of trying all alternatives there — with
# "(?:verlängert|gilt|gelten)\s+…" among them it did not, and the search took twice as long on long regulations.
_STILL = r"\s+(?:(?:noch|zunächst|vorerst|vorläufig|weiterhin)\s+)?bis"
_TRIGGERS = (
    "antragsfrist", "antragsschluss", "bewerbungsschluss", "anmeldeschluss", "einsendeschluss", "einreichungsfrist",
    r"frist\s+endet", r"frist\s+läuft", r"gültig\s+bis", r"befristet\s+bis", r"läuft\s+(?:noch\s+)?bis",
    r"endet\s+am", r"außer\s+kraft", r"anträge?\b[^.\n]{0,60}?\bbis", r"anmeld\w*\b[^.\n]{0,40}?\bbis",
    r"beantragt\s+werden[^.\n]{0,20}?\bbis", "verlängert" + _STILL, "gilt" + _STILL, "gelten" + _STILL,
    r"spätestens\s+(?:am|bis)", r"letztmalig\s+(?:am|bis)",
)  # fmt: skip
_TRIGGER = "|".join(_TRIGGERS)
_DEADLINE = rf"(?P<trigger>{_TRIGGER})[^.\n\d]{{0,40}}?{_DATE}"
# German legal drafting puts the date first: "tritt am 31. Dezember 2029 / mit Ablauf des 30. Juni 2024 außer Kraft"
_END = rf"(?:\bam|\bmit\s+ablauf(?:\s+des)?|\bzum)\s+{_DATE}\s*,?\s+außer\s+kraft"
# Matched on the lower-cased text without re.IGNORECASE, which is about three times slower on a long regulation; the
# case-blind forms serve the rare text whose lower case has another length ("İ"), where offsets would not fit.
_PATTERN, _END_OF_FORCE = re.compile(_DEADLINE), re.compile(_END)
_END_WORD = "außer"  # every end of force ends with "außer Kraft": a text without the word needs no search for one
_PATTERN_ANY_CASE, _END_OF_FORCE_ANY_CASE = re.compile(_DEADLINE, re.IGNORECASE), re.compile(_END, re.IGNORECASE)
_VALIDITY = re.compile(r"gültig|gilt|gelten|kraft|befristet", re.IGNORECASE)  # triggers that need the subject check
# a sentence about one part of the text or the EU's block exemption regulations sets no end of the text
_NOT_THE_WHOLE = re.compile(
    r"§|\b(?:ziffer|abschnitt|absatz|nummer|programmteil|buchstabe|anlage)\b|freistellungstatbest|\bagvo\b|"
    r"gruppenfreistellungsverordnung|agrarfvo|fischereifvo",
    re.IGNORECASE,
)
# an earlier act leaving force inside a regulation ("Die Verordnung vom 27. November 2020 tritt … außer Kraft")
_EARLIER_ACT = re.compile(r"\bvom\s+\d{1,2}\.")
# a sentence ends at a line break (a heading: "§ 9 Inkrafttreten") or a full stop that is not the dot of "31." or "1."
_SENTENCE_END = re.compile(r"\n|(?<![\d§])[.!?;]\s+(?=[A-ZÄÖÜ0-9§])")


@dataclass(frozen=True, slots=True)
class Deadline:
    expires_at: datetime  # UTC, end of the named day in Berlin
    reason: str  # the phrase it was read from


def find_deadline(text: str) -> Deadline | None:
    """The latest deadline named in ``text``, or None."""
    lowered = text.lower()
    if len(lowered) == len(text):
        ends = _END_OF_FORCE.finditer(lowered) if _END_WORD in lowered else ()
        return latest_deadline(text, _PATTERN.finditer(lowered), ends)
    return latest_deadline(text, _PATTERN_ANY_CASE.finditer(text), _END_OF_FORCE_ANY_CASE.finditer(text))


def latest_deadline(text: str, deadlines: Iterable[re.Match[str]], ends: Iterable[re.Match[str]]) -> Deadline | None:
    """The latest of the ``deadlines`` ("Antragsfrist bis …") and ``ends`` of force ("… außer Kraft") matched in
    ``text`` (or in its lower case: the offsets are the same), validities checked for their subject."""
    best: Deadline | None = None
    found = [*((False, match) for match in deadlines), *((True, match) for match in ends)]
    for end_of_force, match in found:
        day = _date(match)
        if day is None:
            continue
        if end_of_force or _VALIDITY.search(match["trigger"]):  # a validity: whose?
            subject = _sentence_before(text, match.start())
            if _NOT_THE_WHOLE.search(subject) or (end_of_force and _EARLIER_ACT.search(subject)):
                continue
        end = datetime.combine(day, time(23, 59, 59), tzinfo=BERLIN).astimezone(UTC)
        if best is None or end > best.expires_at:
            best = Deadline(end, " ".join(text[match.start() : match.end()].split()))
    return best


def _sentence_before(text: str, end: int) -> str:
    """The sentence's words before ``end``: its subject ("Diese Richtlinie tritt …", "§ 4a tritt …")."""
    head = text[max(0, end - 300) : end]
    starts = [m.end() for m in _SENTENCE_END.finditer(head)]
    return head[starts[-1] :] if starts else head


def _date(match: re.Match[str]) -> date | None:
    month = int(match["m"]) if match["m"] else MONTHS.get((match["mon"] or "").lower())
    year_text = match["y"] or match["y2"]
    if month is None or not year_text:
        return None
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        return date(year, month, int(match["d"]))
    except ValueError:
        return None
