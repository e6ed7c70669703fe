"""The one exception tree of fetching and parsing, with stable error codes.

Every failure of the network gate (``sources.fetch``) and of the parsers is a :class:`FetchError`
subclass. Callers (harvest flow, CLI, store) look only at ``.code`` — a stable string stored in the
fetch log and printed by ``rubrik harvest --json`` — never at HTTP status codes. :data:`ERROR_CODES`
documents every code in one German line (the README lists them).
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "fetch_error": "Unbestimmter Fehler beim Abruf.",
    "invalid_url": "Die Adresse ist keine gültige http(s)-Adresse (oder enthält Zugangsdaten).",
    "ssrf_blocked": "Die Adresse zeigt auf ein nicht öffentliches Netz (z. B. localhost, intern) und wird "
    "nicht abgerufen.",
    "connection_failed": "Keine Verbindung zum Server (DNS, Verbindungsaufbau oder TLS gescheitert).",
    "timeout": "Zeitlimit überschritten (Verbindung, Lesen oder Gesamtdauer des Abrufs).",
    "too_large": "Die Antwort ist größer als erlaubt (nach dem Entpacken).",
    "truncated": "Die Antwort brach vor ihrem Ende ab.",
    "bad_encoding": "Unbekannte oder mehrfach gestapelte Content-Encoding-Angabe.",
    "http_4xx": "Der Server lehnt die Anfrage ab (HTTP 4xx, z. B. 404 nicht gefunden, 410 entfernt).",
    "http_5xx": "Fehler auf dem Server (HTTP 5xx).",
    "rate_limited": "Der Server bittet um eine Pause (HTTP 429 oder 503, ggf. mit Retry-After).",
    "redirect_loop": "Die Weiterleitungen bilden eine Schleife.",
    "too_many_redirects": "Zu viele Weiterleitungen hintereinander.",
    "bad_redirect": "Weiterleitung auf ein anderes Protokoll als http(s) oder ohne Ziel.",
    "robots_disallowed": "robots.txt der Website verbietet uns diesen Abruf.",
    "not_a_feed": "Die Antwort ist kein Feed (z. B. eine HTML-Anmeldeseite).",
    "parse_error": "Der Inhalt konnte nicht gelesen werden.",
    # e-mail intake (issue 8)
    "mailbox_missing": "Das Postfach (Maildir/mbox/IMAP-Ordner) gibt es nicht.",
    "mailbox_auth": "Anmeldung am Postfach gescheitert (Benutzer, Passwort-Variable).",
    "imap_error": "Der IMAP-Server lehnte einen Befehl ab.",
}


class FetchError(Exception):
    """Base of all fetch and parse failures; ``code`` is stable, the message is for people."""

    code: str = "fetch_error"

    def __init__(self, message: str = "", *, url: str = "", retry_after: float | None = None) -> None:
        self.url = url
        self.retry_after = retry_after
        text = message or ERROR_CODES.get(self.code, self.code)
        super().__init__(f"{text} ({url})" if url else text)


class InvalidURL(FetchError):
    code = "invalid_url"


class SSRFBlocked(FetchError):
    code = "ssrf_blocked"


class ConnectionFailed(FetchError):
    code = "connection_failed"


class FetchTimeout(FetchError):
    code = "timeout"


class TooLarge(FetchError):
    code = "too_large"


class TruncatedBody(FetchError):
    code = "truncated"


class UnsupportedEncoding(FetchError):
    code = "bad_encoding"


class HTTPStatusError(FetchError):
    """An HTTP error answer; ``status`` is kept for the log, callers decide on ``code``."""

    def __init__(self, message: str = "", *, url: str = "", status: int, retry_after: float | None = None) -> None:
        self.status = status
        super().__init__(message or f"HTTP {status}", url=url, retry_after=retry_after)


class HTTPClientError(HTTPStatusError):
    code = "http_4xx"


class NotFound(HTTPClientError):
    """404 — and the base of :class:`Gone` (410): the resource is not there."""


class Gone(NotFound):
    """410: the resource was removed for good; a source pointing here should be retired."""


class HTTPServerError(HTTPStatusError):
    code = "http_5xx"


class RateLimited(HTTPStatusError):
    """429 or 503; ``retry_after`` (seconds, capped) tells when to try again, if the server said so."""

    code = "rate_limited"


class RedirectLoop(FetchError):
    code = "redirect_loop"


class TooManyRedirects(FetchError):
    code = "too_many_redirects"


class BadRedirect(FetchError):
    code = "bad_redirect"


class RobotsDisallowed(FetchError):
    code = "robots_disallowed"


class NotAFeed(FetchError):
    code = "not_a_feed"


class ParseFailed(FetchError):
    code = "parse_error"


__all__ = [
    "ERROR_CODES",
    "BadRedirect",
    "ConnectionFailed",
    "FetchError",
    "FetchTimeout",
    "Gone",
    "HTTPClientError",
    "HTTPServerError",
    "HTTPStatusError",
    "InvalidURL",
    "NotAFeed",
    "NotFound",
    "ParseFailed",
    "RateLimited",
    "RedirectLoop",
    "RobotsDisallowed",
    "SSRFBlocked",
    "TooLarge",
    "TooManyRedirects",
    "TruncatedBody",
    "UnsupportedEncoding",
]


# -- e-mail intake (issue 8): the mailbox side of a ``mailbox`` source


class MailboxMissing(FetchError):
    code = "mailbox_missing"


class MailboxAuthFailed(FetchError):
    code = "mailbox_auth"


class ImapFailed(FetchError):
    code = "imap_error"
