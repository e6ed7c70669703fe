"""The record every parser returns, and the signature every parser has."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from process.model import RawEntry


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What one parser read from one response body."""

    entries: tuple[RawEntry, ...]
    warnings: tuple[str, ...] = ()
    title: str | None = None  # the feed's or page's title, if any


class Parser(Protocol):
    """A parser turns one response body into raw entries; it never touches the network."""

    def __call__(
        self,
        body: bytes,
        *,
        url: str,
        headers: Mapping[str, str],
        selectors: Mapping[str, str] | None,
    ) -> ParseResult: ...
