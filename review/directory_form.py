"""Defences and plumbing of the public Kauf-regional form, without a login session and without third parties.

- a signed form token (HMAC over issue time and nonce): CSRF protection for a form anyone may send, and the
  clock for the time-to-submit check; it needs no cookie and no server state;
- a honeypot field that people never see (``homepage``), bots fill;
- a per-address limit kept in the database (hashed addresses), so it holds across workers and restarts;
- a bounded body reader: a form larger than ``RUBRIK_DIRECTORY_MAX_BODY_BYTES`` is refused with 413.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request

from process.directory import FIELDS, OFFER_TYPES

HONEYPOT = "homepage"
TOKEN_FIELD = "token"  # noqa: S105 - a form field name, not a secret
TOKEN_MAX_AGE = 4 * 3600.0  # a form may stay open in a browser tab for a while


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True, slots=True)
class FormSigner:
    key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> FormSigner:
        return cls(secret.encode() if secret else secrets.token_bytes(32))

    def issue(self, purpose: str, now: float | None = None) -> str:
        issued = f"{int((now if now is not None else time.time()) * 1000)}.{secrets.token_urlsafe(9)}"
        return f"{issued}.{self._sign(purpose, issued)}"

    def check(self, token: str, purpose: str, *, min_seconds: float, now: float | None = None) -> str:
        """ "ok", "invalid" (forged, malformed, other purpose), "expired" or "too_fast"."""
        parts = token.split(".")
        if len(parts) != 3 or not parts[0].isdigit():
            return "invalid"
        issued = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(parts[2].encode(), self._sign(purpose, issued).encode()):
            return "invalid"
        age = (now if now is not None else time.time()) - int(parts[0]) / 1000
        if age > TOKEN_MAX_AGE:
            return "expired"
        return "too_fast" if age < min_seconds else "ok"

    def ip_hash(self, ip: str) -> str:
        """Addresses are kept only keyed-hashed: enough to count, useless to anyone reading the table."""
        return hmac.new(self.key, b"ip:" + ip.encode(), hashlib.sha256).hexdigest()

    def _sign(self, purpose: str, issued: str) -> str:
        return hmac.new(self.key, f"{purpose}:{issued}".encode(), hashlib.sha256).hexdigest()


async def read_form(request: Request, max_bytes: int) -> dict[str, str]:
    """The url-encoded form, refusing bodies over ``max_bytes`` before reading them whole."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise BodyTooLarge()
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=200)
    form: dict[str, str] = {}
    for key, value in pairs:
        if key == "angebot":
            form.setdefault("angebot", "")
            form["angebot"] = f"{form['angebot']},{value}".strip(",")
        else:
            form.setdefault(key, value)
    return form


def raw_entry(form: Mapping[str, str]) -> dict[str, str]:
    """Form fields -> the validator's raw fields: a ticked offer with an empty note means "ja"."""
    ticked = set(form.get("angebot", "").split(","))
    raw = {key: form.get(key, "") for key in FIELDS}
    for kind in OFFER_TYPES:
        raw[kind] = (raw[kind].strip() or "ja") if kind in ticked else ""
    return raw


def form_state(values: Mapping[str, str]) -> dict[str, str]:
    """Validator raw fields -> what the form template shows (notes without the "ja" placeholder)."""
    shown = {key: values.get(key, "") for key in FIELDS}
    for kind in OFFER_TYPES:
        shown[f"{kind}_on"] = "1" if shown[kind] else ""
        if shown[kind] == "ja":
            shown[kind] = ""
    shown["submitter_email"] = values.get("submitter_email", "")
    return shown
