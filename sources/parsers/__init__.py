"""One parser per source kind, in an explicit registry (no filesystem scanning, no plugins by import).

Every parser takes the raw response body (bytes) plus the URL, the response headers and the catalog's
selectors, and returns a :class:`ParseResult` of :class:`~process.model.RawEntry` records. Parsers never
touch the network and never clean anything: ``process`` normalizes and sanitizes afterwards. Failures are
``sources.errors.NotAFeed`` (code ``not_a_feed``) and ``sources.errors.ParseFailed`` (``parse_error``).
"""

from __future__ import annotations

from collections.abc import Mapping

from sources.errors import ParseFailed
from sources.parsers._result import Parser, ParseResult
from sources.parsers.feed import parse_feed
from sources.parsers.listing import parse_listing
from sources.parsers.page import parse_page

PARSERS: dict[str, Parser] = {"feed": parse_feed, "listing": parse_listing, "page": parse_page}


def parse(
    kind: str,
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str],
    selectors: Mapping[str, str] | None = None,
) -> ParseResult:
    """Parse ``body`` with the parser registered for ``kind``."""
    try:
        parser = PARSERS[kind]
    except KeyError:
        raise ParseFailed(f"Unbekannte Quellenart {kind!r}.", url=url) from None
    return parser(body, url=url, headers=headers, selectors=selectors)


__all__ = ["PARSERS", "ParseResult", "Parser", "parse", "parse_feed", "parse_listing", "parse_page"]
