"""The ``page`` kind: one page watched for changes, read as ONE entry carrying its main text.

Chrome is dropped (nav, header, footer, aside, forms, scripts, cookie banners, navigation roles, common
boilerplate classes); the main region is the first of ``main``, ``[role=main]``, ``article``, ``#content``,
``.content`` … that holds text, else ``body``. Content is plain text with blank lines between blocks so a
later text diff reads paragraph by paragraph. Diffing against the previous version happens in ``process``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from process.model import RawEntry
from sources.parsers._html import element_text, iso_datetime, load_soup, meta_content
from sources.parsers._result import ParseResult

_DROP_TAGS = ("script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg", "button")
_DROP_ROLES = ("navigation", "banner", "contentinfo", "search", "dialog", "alertdialog")
_MAIN = ("main", "[role=main]", "article", "#content", ".content", "#main", ".main-content", "#inhalt")
# Class or id words that mark boilerplate; matched against the hyphen/underscore-separated parts.
_BOILERPLATE = frozenset(
    {
        "cookie", "cookies", "consent", "cookiebanner", "breadcrumb", "breadcrumbs", "skiplink", "skiplinks",
        "share", "social", "sharing", "pagination", "sidebar", "navbar", "menu", "megamenu", "metanav",
        "servicenav", "subnav", "toolbar", "print", "sr", "visually", "hidden", "newsletter", "modal",
        "popup", "offcanvas",
    }
)  # fmt: skip
# Whole class/id names of page chrome ("article-header" inside an article is content, "site-header" is not).
_CHROME_NAMES = frozenset({"header", "footer", "site-header", "site-footer", "page-header", "page-footer", "topbar"})
_BLOCKS = (
    "p", "div", "section", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "ul", "ol", "dl",
    "dt", "dd", "blockquote", "pre", "address", "figcaption", "details", "summary", "hr",
)  # fmt: skip
_WORD = re.compile(r"[a-z]+")
_STAND = re.compile(
    r"(?:Stand|Zuletzt aktualisiert|Aktualisiert|Letzte Änderung|Letzte Aktualisierung)(?:\s+am)?\s*:?\s*"
    r"(?P<date>\d{1,2}\.\s*(?:\d{1,2}\.|[A-Za-zÄäÖöÜü]+\.?)\s*\d{2,4}(?:,?\s*\d{1,2}[:.]\d{2}(?:\s*Uhr)?)?)"
)
SUMMARY_MAX = 400


def parse_page(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str],
    selectors: Mapping[str, str] | None = None,
) -> ParseResult:
    """One entry for the whole page: guid and link are the page URL, content its main text."""
    soup, warnings = load_soup(body, headers)
    title = _title(soup)
    modified = meta_content(soup, "article:modified_time", "last-modified", "dcterms.modified")
    content_css = (selectors or {}).get("content")
    main, by_selector = _main_region(soup, content_css)
    if content_css and not by_selector:
        warnings.append(f"page: content selector {content_css!r} matched nothing; main text found by heuristics")
    paragraphs = [element_text(p) for p in main.find_all("p")]
    text = _block_text(main)
    if not text:
        warnings.append("page: no main text found")
    date, date_parsed = _date(text, modified, headers)
    entry = RawEntry(
        guid=url,
        link=url,
        title=title,
        summary=_summary(paragraphs or text.split("\n\n"), title),
        content=text,
        date=date,
        date_parsed=date_parsed,
    )
    return ParseResult(entries=(entry,), warnings=tuple(warnings), title=title or None)


def _title(soup: BeautifulSoup) -> str:
    """og:title first: ``<title>`` usually carries the site name as a suffix ("… - Wirtschaft in Mittelsachsen"),
    whose words would count for tagging like the title's own. Without og:title, the ``<h1>`` that ``<title>``
    starts with, or ``<title>`` without the site name (og:site_name) after a separator."""
    if og := meta_content(soup, "og:title"):
        return og
    title_tag, h1_tag = soup.find("title"), soup.find("h1")
    title = element_text(title_tag) if isinstance(title_tag, Tag) else ""
    h1 = element_text(h1_tag) if isinstance(h1_tag, Tag) else ""
    if title and h1 and title.casefold().startswith(h1.casefold()) and _separated(title[len(h1) :]):
        return h1
    site = meta_content(soup, "og:site_name")
    head = title[: -len(site)].rstrip() if site and title.endswith(site) else ""
    if len(head) > 1 and head[-1] in _SEPARATORS:
        return head[:-1].rstrip()
    return title or h1


def _separated(rest: str) -> bool:
    """Is ``rest`` (what follows the ``<h1>`` in ``<title>``) nothing or a separator and a site name?"""
    rest = rest.lstrip()
    return not rest or rest[0] in _SEPARATORS


_SEPARATORS = "-–—|:·»«/"


def _main_region(soup: BeautifulSoup, content_css: str | None = None) -> tuple[Tag, bool]:
    """The main text's element, and whether the catalog's ``content`` selector found it."""
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.select(",".join(f"[role={role}]" for role in _DROP_ROLES)):
        tag.decompose()
    for tag in soup.find_all(_is_boilerplate):
        tag.decompose()
    for css in ([content_css] if content_css else []) + list(_MAIN):
        found = soup.select_one(css)
        if found is not None and element_text(found):
            _drop_page_chrome(found)
            return found, css == content_css
    body = soup.body or soup
    _drop_page_chrome(body)
    return body, False


def _drop_page_chrome(root: Tag) -> None:
    # <header>/<footer> inside an article belong to it (its h1, its date); the page's own ones do not.
    for tag in root.find_all(("header", "footer")):
        if tag.find_parent("article") is None:
            tag.decompose()


def _is_boilerplate(tag: Tag) -> bool:
    if tag.name in ("html", "body", "main", "article") or tag.attrs is None:
        return False
    names: list[str] = [*tag.get_attribute_list("class"), *tag.get_attribute_list("id")]
    words = [w for name in names if name for w in _WORD.findall(str(name).lower())]
    return any(w in _BOILERPLATE for w in words) or any(str(n).lower() in _CHROME_NAMES for n in names)


def _block_text(root: Tag) -> str:
    for br in root.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for block in root.find_all(_BLOCKS):
        block.insert_before(NavigableString("\n\n"))
        block.insert_after(NavigableString("\n\n"))
    lines = (" ".join(line.replace("\xa0", " ").split()) for line in root.get_text().split("\n"))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _summary(paragraphs: list[str], title: str) -> str:
    """The first real paragraph(s): headings, "Stand: …" lines and short kickers are skipped."""
    parts: list[str] = []
    for para in paragraphs:
        if para == title or _STAND.match(para) or (not parts and len(para) < 40):
            continue
        parts.append(para)
        if sum(len(p) for p in parts) >= 200:
            break
    summary = "\n\n".join(parts)
    return summary if len(summary) <= SUMMARY_MAX else summary[: SUMMARY_MAX - 1].rstrip() + "…"


def _date(text: str, modified: str, headers: Mapping[str, str]) -> tuple[str | None, datetime | None]:
    match = _STAND.search(text)
    if match:
        return match.group("date"), None
    if modified:
        return modified, iso_datetime(modified)
    last_modified = next((v for k, v in headers.items() if k.lower() == "last-modified"), "")
    if last_modified:
        try:
            return last_modified, parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return last_modified, None
    return None, None
