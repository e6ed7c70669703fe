"""HTML helpers shared by the ``listing`` and ``page`` parsers: decoding, selectors, JSON-LD, OpenGraph.

Selector syntax (the same as ``sources.catalog`` validates): ``"h3 a@href"`` is the CSS selector
``h3 a`` and then the attribute ``href``; without ``@attr`` the element's text. ``:scope`` alone means the
element itself (``":scope@data-date"``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from bs4 import BeautifulSoup, Tag

from process.charset import decode_bytes

_SELECTOR = re.compile(r"(?P<css>.+?)(?:@(?P<attr>[A-Za-z_][\w:.-]*))?", re.DOTALL)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_ARTICLE_TYPES = frozenset({"Article", "NewsArticle", "BlogPosting", "Report", "PressRelease", "WebPage"})


def load_soup(body: bytes, headers: Mapping[str, str]) -> tuple[BeautifulSoup, list[str]]:
    """Decode by the project's charset rule (valid UTF-8, else a declaration, else windows-1252), then parse."""
    text, warnings = decode_bytes(body, header_charset(headers))
    return BeautifulSoup(text, "lxml"), warnings


def header_charset(headers: Mapping[str, str]) -> str | None:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    match = _CHARSET.search(content_type)
    return match.group(1) if match else None


def squash(text: str) -> str:
    """Collapse runs of whitespace (incl. non-breaking spaces) to one space."""
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()


def element_text(el: Tag) -> str:
    return squash(el.get_text(" "))


def split_selector(selector: str) -> tuple[str, str | None]:
    match = _SELECTOR.fullmatch(selector.strip())
    if not match:
        return selector.strip(), None
    return match.group("css").strip(), match.group("attr")


def select_all(root: Tag, selector: str) -> list[Tag]:
    css, _ = split_selector(selector)
    return [root] if css == ":scope" else list(root.select(css))


def extract(root: Tag, selector: str) -> str:
    """The first non-empty value the selector yields under ``root`` ("" when none)."""
    css, attr = split_selector(selector)
    candidates = [root] if css == ":scope" else root.select(css)
    for el in candidates:
        value = attr_text(el, attr) if attr else element_text(el)
        if value:
            return value
    return ""


def attr_text(el: Tag, attr: str) -> str:
    value = el.get(attr)
    if isinstance(value, list):  # multi-valued attributes such as class
        value = " ".join(value)
    return squash(value) if isinstance(value, str) else ""


def meta_content(soup: BeautifulSoup, *names: str) -> str:
    """The first ``<meta property|name=… content=…>`` among ``names``."""
    for name in names:
        for key in ("property", "name", "itemprop"):
            el = soup.find("meta", attrs={key: name})
            if isinstance(el, Tag) and attr_text(el, "content"):
                return attr_text(el, "content")
    return ""


def jsonld_articles(root: Tag) -> list[Mapping[str, Any]]:
    """Article-like JSON-LD objects under ``root`` (``@graph`` and lists flattened; bad JSON ignored)."""
    found: list[Mapping[str, Any]] = []
    for script in root.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, RecursionError):
            continue
        found.extend(obj for obj in _walk_ld(data, depth=0) if _is_article(obj))
    return found


def _walk_ld(data: object, *, depth: int) -> Iterator[Mapping[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_ld(item, depth=depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _walk_ld(data.get("@graph"), depth=depth + 1)


def _is_article(obj: Mapping[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k in _ARTICLE_TYPES for k in kinds)


def ld_text(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("name")
    return squash(value) if isinstance(value, str) else ""


def iso_datetime(raw: str) -> datetime | None:
    """An ISO 8601 date-time that carries its zone, as UTC; anything else is left to ``process.dates``."""
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None
