"""The ``listing`` kind: an HTML news or press list turned into items by CSS selectors from the catalog.

Selector keys: ``item`` (required) and optional ``title``, ``link``, ``date``, ``summary``. Defaults: title =
first h1–h4 (else first link text), link = first ``a@href``, date = ``time@datetime`` / ``<time>`` text,
summary = first paragraph that is not the title. JSON-LD articles (in the item, or on the page matched by
link or headline) fill a missing title or date. A list whose item selector matches nothing is a warning —
usually a site relaunch — unless the page itself is one article described by OpenGraph/JSON-LD.
Links stay as written (``process`` resolves them against the page URL); a ``<base href>`` is applied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from process.model import RawEntry
from sources.errors import ParseFailed
from sources.parsers._html import (
    attr_text,
    element_text,
    extract,
    iso_datetime,
    jsonld_articles,
    ld_text,
    load_soup,
    meta_content,
    select_all,
)
from sources.parsers._result import ParseResult

DEFAULT_TITLE = "h1, h2, h3, h4"
DEFAULT_LINK = "a[href]@href"
# "+++ Neue Überbrückungshilfe +++" — the ticker markers some chambers and towns put around headlines.
_MARKERS = re.compile(r"^(?:\s*\+{2,}\s*)+|(?:\s*\+{2,}\s*)+$")


def parse_listing(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str],
    selectors: Mapping[str, str] | None,
) -> ParseResult:
    """Read the items of a news list; items with neither title nor link are skipped with a warning."""
    if not selectors or not selectors.get("item"):
        raise ParseFailed('Eine Liste braucht den Selektor "item".', url=url)
    soup, warnings = load_soup(body, headers)
    base = _base_href(soup, url)
    page_ld = jsonld_articles(soup)
    items = select_all(soup, selectors["item"])
    entries: list[RawEntry] = []
    for index, item in enumerate(items, start=1):
        entry = _item_entry(item, selectors, base=base, page_ld=page_ld)
        if entry is None:
            warnings.append(f"listing: item {index} has neither title nor link, skipped")
        else:
            entries.append(entry)
    if not items:
        warnings.append(f'listing: item selector "{selectors["item"]}" matched nothing (site relaunch?)')
        entries.extend(_single_article(soup, url=url, page_ld=page_ld))
    return ParseResult(entries=tuple(entries), warnings=tuple(warnings), title=_page_title(soup))


def _item_entry(
    item: Tag, selectors: Mapping[str, str], *, base: str | None, page_ld: list[Mapping[str, Any]]
) -> RawEntry | None:
    link = extract(item, selectors.get("link") or DEFAULT_LINK) or None
    if link and base:
        link = urljoin(base, link)
    title = _clean_title(_title(item, selectors))
    ld = _matching_ld(item, page_ld, link=link, title=title)
    title = title or _clean_title(ld_text(ld, "headline") or ld_text(ld, "name"))
    if not title and not link:
        return None
    date = _date(item, selectors) or ld_text(ld, "datePublished") or ld_text(ld, "dateModified")
    return RawEntry(
        guid=None,
        link=link,
        title=title,
        summary=_summary(item, selectors, title) or ld_text(ld, "description"),
        date=date or None,
        date_parsed=iso_datetime(date) if date else None,
        author=ld_text(ld, "author") or None,
    )


def _title(item: Tag, selectors: Mapping[str, str]) -> str:
    if selectors.get("title"):
        return extract(item, selectors["title"])
    return extract(item, DEFAULT_TITLE) or extract(item, "a[href]")


def _clean_title(title: str) -> str:
    return _MARKERS.sub("", title).strip()


def _date(item: Tag, selectors: Mapping[str, str]) -> str:
    if selectors.get("date"):
        found = extract(item, selectors["date"])
        if found:
            return found
    return extract(item, "time[datetime]@datetime") or extract(item, "time")


def _summary(item: Tag, selectors: Mapping[str, str], title: str) -> str:
    if selectors.get("summary"):
        return extract(item, selectors["summary"])
    for p in item.find_all("p"):
        text = element_text(p)
        if text and text != title:
            return text
    return ""


def _matching_ld(item: Tag, page_ld: list[Mapping[str, Any]], *, link: str | None, title: str) -> Mapping[str, Any]:
    """JSON-LD inside the item, else the page's article whose url or headline matches the item."""
    inner = jsonld_articles(item)
    if inner:
        return inner[0]
    for obj in page_ld:
        ld_url = ld_text(obj, "url") or ld_text(obj, "mainEntityOfPage")
        if (link and ld_url and (ld_url == link or ld_url.endswith(link))) or (
            title and ld_text(obj, "headline") == title
        ):
            return obj
    return {}


def _single_article(soup: BeautifulSoup, *, url: str, page_ld: list[Mapping[str, Any]]) -> list[RawEntry]:
    """A page that is itself one article (og:type=article or JSON-LD) becomes one entry."""
    ld = page_ld[0] if page_ld else {}
    is_article = meta_content(soup, "og:type") == "article" or bool(ld)
    title = meta_content(soup, "og:title") or ld_text(ld, "headline")
    if not is_article or not title:
        return []
    date = meta_content(soup, "article:published_time") or ld_text(ld, "datePublished")
    return [
        RawEntry(
            guid=None,
            link=meta_content(soup, "og:url") or ld_text(ld, "url") or url,
            title=_clean_title(title),
            summary=meta_content(soup, "og:description", "description") or ld_text(ld, "description"),
            date=date or None,
            date_parsed=iso_datetime(date) if date else None,
        )
    ]


def _base_href(soup: BeautifulSoup, url: str) -> str | None:
    base = soup.find("base", href=True)
    return urljoin(url, attr_text(base, "href")) if isinstance(base, Tag) else None


def _page_title(soup: BeautifulSoup) -> str | None:
    title = soup.find("title")
    return (element_text(title) if isinstance(title, Tag) else "") or meta_content(soup, "og:title") or None
