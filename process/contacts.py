"""Validation of contact data staff enter: German phone numbers (normalized to E.164 for ``tel:`` links),
e-mail addresses (syntax, no DNS lookup: the office may be offline) and web addresses. Pure functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_REGION = "DE"


class ContactError(ValueError):
    """A contact value that cannot be accepted; the message says why in German."""


@dataclass(frozen=True, slots=True)
class Phone:
    display: str  # as staff typed it, whitespace tidied
    e164: str  # "+493731799333" — the tel: link


def parse_phone(raw: str, region: str = DEFAULT_REGION) -> Phone:
    """A valid phone number (German formats like ``03731 799-3333``, ``+49 3731 7993333``, ``0800 …``)."""
    display = " ".join(raw.split())
    if not display:
        raise ContactError("Telefonnummer fehlt.")
    if len(display) > 40:
        raise ContactError(f"Telefonnummer {display!r} ist zu lang.")
    try:
        number = phonenumbers.parse(display, region)
    except phonenumbers.NumberParseException:
        raise ContactError(f"{display!r} ist keine Telefonnummer.") from None
    if not phonenumbers.is_valid_number(number):
        raise ContactError(f"{display!r} ist keine gültige Telefonnummer (Vorwahl und Rufnummer prüfen).")
    return Phone(display, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def parse_email(raw: str) -> str:
    """A syntactically valid e-mail address, normalized (domain lower-case, IDN to Unicode)."""
    value = raw.strip()
    if not value:
        raise ContactError("E-Mail-Adresse fehlt.")
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise ContactError(f"{value!r} ist keine gültige E-Mail-Adresse ({error}).") from None


def parse_web(raw: str) -> str:
    """An absolute http(s) address with a host."""
    value = raw.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise ContactError(f"{value!r} ist keine gültige Web-Adresse (http:// oder https://).")
    return value


CONTACT_SECTIONS = ("block", "wichtig")
CONTACT_FIELDS = ("section", "institution", "topic", "phone", "email", "web", "messenger", "hours", "position")


@dataclass(frozen=True, slots=True)
class Contact:
    """A validated contact: a line of the contact block or of "Wichtige Kontakte"."""

    section: str
    institution: str
    topic: str = ""
    phone: str = ""
    phone_e164: str = ""
    email: str = ""
    web: str = ""
    messenger: str = ""
    hours: str = ""
    position: int = 0


class ContactProblems(ContactError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problems))


def check_contact(raw: dict[str, str]) -> Contact:
    """A contact from form/CSV text fields; ContactProblems lists everything wrong at once."""
    problems: list[str] = []
    value = {name: " ".join(str(raw.get(name) or "").split()) for name in CONTACT_FIELDS}
    section = value["section"] or "wichtig"
    if section not in CONTACT_SECTIONS:
        problems.append(f"Unbekannter Bereich {section!r} (erlaubt: block, wichtig).")
    if not value["institution"]:
        problems.append("Die Bezeichnung (Einrichtung) fehlt.")
    for name, limit in (("institution", 200), ("topic", 200), ("messenger", 200), ("hours", 200)):
        if len(value[name]) > limit:
            problems.append(f"Feld {name} ist länger als {limit} Zeichen.")
    phone = _checked(parse_phone, value["phone"], problems)
    email = _checked(parse_email, value["email"], problems)
    web = _checked(parse_web, value["web"], problems)
    if not (value["phone"] or value["email"] or value["web"] or value["messenger"]):
        problems.append("Mindestens Telefon, E-Mail, Web oder Messenger angeben.")
    position = 0
    try:
        position = int(value["position"] or 0)
    except ValueError:
        problems.append("Die Position muss eine Zahl sein.")
    if problems:
        raise ContactProblems(problems)
    number = phone if isinstance(phone, Phone) else Phone("", "")
    return Contact(
        section=section, institution=value["institution"], topic=value["topic"], phone=number.display,
        phone_e164=number.e164, email=str(email or ""), web=str(web or ""), messenger=value["messenger"],
        hours=value["hours"], position=position,
    )  # fmt: skip


def _checked(parse: Callable[[str], object], value: str, problems: list[str]) -> object:
    if not value:
        return None
    try:
        return parse(value)
    except ContactError as error:
        problems.append(str(error))
        return None
