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
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, NavigableString

from process.model import RawEntry
from sources.parsers._html import element_text, iso_datetime, load_soup, meta_content
from sources.parsers._result import ParseResult

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg", "button", "figcaption",
)  # fmt: skip
_DROP_ROLES = ("navigation", "banner", "contentinfo", "search", "dialog", "alertdialog")
_MAIN = ("main", "[role=main]", "article", "#content", ".content", "#main", ".main-content", "#inhalt")
# Class or id words that mark boilerplate; matched against the hyphen/underscore-separated parts.
_BOILERPLATE = frozenset(
    {
        "cookie", "cookies", "consent", "cookiebanner", "breadcrumb", "breadcrumbs", "skiplink", "skiplinks",
        "share", "social", "sharing", "pagination", "sidebar", "navbar", "menu", "megamenu", "metanav",
        "servicenav", "subnav", "toolbar", "print", "sr", "visually", "hidden", "newsletter", "modal",
        "popup", "offcanvas",
        # captions and picture credits, related and recommended articles, tag lists, comments, advertising
        "caption", "credit", "credits", "copyright", "bildunterschrift", "bildnachweis", "related", "recommendations",
        "tags", "keywords", "comments", "outbrain", "taboola", "advertisement", "anzeige",
    }
)  # fmt: skip
# Whole class/id names of page chrome ("article-header" inside an article is content, "site-header" is not).
_CHROME_NAMES = frozenset({"header", "footer", "site-header", "site-footer", "page-header", "page-footer", "topbar"})
_BLOCKS = (
    "p", "div", "section", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "ul", "ol", "dl",
    "dt", "dd", "blockquote", "pre", "address", "figcaption", "details", "summary", "hr",
)  # fmt: skip
_WORD = re.compile(r"[a-z]+")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_KEEP_BOX = ("html", "body", "main", "article")
# Headings of sections that point to other pages (matched at the start, case aside).
_RELATED = re.compile(
    r"\s*(?:mehr (?:zum thema|zu diesem thema|aus)\b|weitere (?:meldungen|artikel|nachrichten|beiträge|"
    r"pressemitteilungen|themen)|das könnte sie (?:auch )?interessieren|auch interessant|(?:meist|am meisten) ?"
    r"(?:gelesen|diskutiert|kommentiert)|aktuellste beiträge|ähnliche (?:artikel|beiträge|themen)|lesen sie auch|"
    r"siehe auch|schlagworte|schlagwörter|diskutieren sie mit|aktuelle berichte aus dieser kategorie|"
    r"verwandte (?:themen|artikel))",
    re.IGNORECASE,
)
# Short blocks that are only a page function: print, share, this page as PDF, back to the list, to the top. A
# document offered as PDF ("Merkblatt als PDF") is content: a new one is a change staff want to see.
_UTILITY = re.compile(
    r"(?:seite |artikel )?drucken|(?:diesen |den )?(?:artikel |beitrag )?teilen|nach oben|zurück|"
    r"zurück zu(?:r)? (?:übersicht|startseite|liste)|(?:(?:diese[ns]?|den|die) )?(?:seite|artikel|beitrag|"
    r"pressemitteilung|meldung|skript|text) als pdf(?: herunterladen| drucken)?",
    re.IGNORECASE,
)
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
    """The page's headline without the site's name: ``<title>`` and og:title usually carry it ("… - Golem.de",
    "BKA - Pressemitteilungen - …", "… | DW | 28.04.2023"), and its words would count for tagging like the title's
    own. The visible ``<h1>`` when og:title or ``<title>`` is it plus such parts; else og:title (or ``<title>``)
    without leading and trailing parts that name the site (og:site_name, application-name, a domain) or a date."""
    og = meta_content(soup, "og:title")
    title_tag = soup.find("title")
    title = element_text(title_tag) if isinstance(title_tag, Tag) else ""
    site = _key(meta_content(soup, "og:site_name", "application-name"))
    headlines = _headlines(soup)
    # several <h1> may each be a part of <title> ("Zoll" · "Fachmeldungen" · the headline): the longest is it
    found = [part for h1 in headlines for text in (og, title) if text and (part := _segment_run(text, h1))]
    if found:
        return _without_site(max(found, key=len), site)
    best = og or title
    return _without_site(best, site) if best else next(iter(headlines), "")


def _headlines(soup: BeautifulSoup) -> list[str]:
    """The ``<h1>`` texts, without the site's logo (inside a link or navigation, or one link home)."""
    found = []
    for h1 in soup.find_all("h1"):
        text = element_text(h1)
        if not text or h1.find_parent(("a", "nav")) is not None:
            continue
        link = h1.find("a")
        if isinstance(link, Tag) and element_text(link) == text and _home(str(link.get("href") or "")):
            continue
        found.append(text)
    return found


def _home(href: str) -> bool:
    parts = urlsplit(href)
    return parts.path in ("", "/", "/index.html", "/index.php", "/index.htm") and not parts.query


def _segments(text: str) -> list[tuple[int, int]]:
    """(start, end) of the parts of a title between separators (" - ", " | ", " – " …; "|" also unspaced)."""
    spans, start = [], 0
    for sep in _SEPARATOR.finditer(text):
        spans.append((start, sep.start()))
        start = sep.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _segment_run(candidate: str, headline: str) -> str:
    """The consecutive parts of ``candidate`` that read as ``headline`` (case, spacing and a space before
    punctuation aside), spelled as in ``candidate``; "" when none do."""
    wanted = _key(headline)
    spans = _segments(candidate)
    for i, (start, _) in enumerate(spans):
        for _, end in spans[i:]:
            if _key(candidate[start:end]) == wanted:
                return candidate[start:end].strip()
    return ""


def _without_site(title: str, site: str) -> str:
    """``title`` without leading and trailing parts naming the site or a date; the whole when nothing else is left."""
    spans = _segments(title)
    while len(spans) > 1 and _names_site(title[slice(*spans[-1])], site):
        spans.pop()
    while len(spans) > 1 and _names_site(title[slice(*spans[0])], site):
        spans.pop(0)
    return title[spans[0][0] : spans[-1][1]].strip() if spans else title


def _names_site(part: str, site: str) -> bool:
    """Does ``part`` name the site (``site``: its name from the page's meta data, compared as ``_key``, or "") —
    its name, the name in its domain ("bmas" of "www.bmas.de"), any domain — or is it a date?"""
    key = _key(part)
    return bool(_DOMAIN.fullmatch(key) or _DATE.fullmatch(key) or (site and key in (site, _domain_name(site))))


def _domain_name(site: str) -> str:
    """ "bmas" of the site name "www.bmas.de" (a domain); "" for other names."""
    return site.removeprefix("www.").split(".")[0] if _DOMAIN.fullmatch(site) else ""


def _key(text: str) -> str:
    """Comparable form of a title part: case-folded, single spaces, no space before punctuation, no soft hyphen."""
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.replace("\xad", "").split())).casefold()


_SEPARATOR = re.compile(r"\s+[-–—·•»«/:|]+\s+|\s*[|•]\s*|:\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([:,;.!?])")
_DOMAIN = re.compile(r"(?:[\w-]+\.)+(?:de|com|org|net|eu|info|at|ch)")
_DATE = re.compile(r"\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}")


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
            if css != content_css:  # the region staff chose is kept whole: it may be a list of news on purpose
                _drop_related(found)
            return found, css == content_css
    body = soup.body or soup
    _drop_page_chrome(body)
    _drop_related(body)
    return body, False


def _drop_related(root: Tag) -> None:
    """Sections of the main region ``root`` that point elsewhere ("Mehr zum Thema", "Das könnte Sie auch
    interessieren", "Schlagworte"): their heading and what follows it up to the next heading of the same or a
    higher level — or the whole box when the heading opens it (never ``root`` itself). Lists of other articles
    change every day and are not this page's text; a watched page would be reported changed for them. Page
    functions ("Drucken", "Zurück zur Übersicht", "Pressemitteilung als PDF") go as well."""
    whole = len(element_text(root))
    for heading in root.find_all(_HEADINGS):
        if heading.decomposed or not _RELATED.match(element_text(heading)):
            continue
        box = heading.parent
        if isinstance(box, Tag) and box is not root and box.name not in _KEEP_BOX and _opens(heading, box):
            section = [box]
        else:
            level = _HEADINGS.index(heading.name)
            section = [heading]
            for sibling in heading.find_next_siblings():
                if sibling.name in _HEADINGS and _HEADINGS.index(sibling.name) <= level:
                    break
                section.append(sibling)
        # a section holding most of the text is the page's own (a town's news list watched as a page)
        if 2 * sum(len(element_text(el)) for el in section if isinstance(el, Tag)) < whole:
            for el in section:
                el.decompose()
    for string in root.find_all(string=_is_utility):
        element = string.parent
        if element is None or element is root or element.decomposed or element.name in _KEEP_BOX:
            continue
        text = element_text(element)  # the largest element around it that holds nothing else
        while (
            (parent := element.parent) is not None
            and parent is not root
            and parent.name not in _KEEP_BOX
            and (element_text(parent) == text)
        ):
            element = parent
        if _UTILITY.fullmatch(text):
            element.decompose()


def _is_utility(string: str | None) -> bool:
    return string is not None and len(string) <= 80 and _UTILITY.fullmatch(" ".join(string.split())) is not None


def _opens(heading: Tag, box: Tag) -> bool:
    """Is ``heading`` the first thing in ``box``?"""
    first = next((child for child in box.children if not _blank(child)), None)
    return first is heading


def _blank(node: object) -> bool:
    return isinstance(node, Comment) or (isinstance(node, NavigableString) and not node.strip())


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
