"""Validation of contact data staff enter: German phone numbers (normalized to E.164 for ``tel:`` links),
e-mail addresses (syntax, no DNS lookup: the office may be offline) and web addresses. Pure functions.
"""

from __future__ import annotations

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
