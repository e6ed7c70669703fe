"""The HTML allowlist (nh3): what harvested markup may keep. Runs LAST in the pipeline.

Kept: paragraphs, lists, emphasis, sub-headings (h1 becomes h2: the page owns its h1), quotes, simple
tables, abbreviations, links. Links are made absolute against the source's URL and must be
http(s)/mailto/tel (http(s) ones canonicalised like ``Entry.url``); they get
``rel="noopener noreferrer nofollow"``. Dropped with their content: script, style, forms, frames,
embedded media and SVG/MathML. Images are dropped: a public authority's page makes no third-party
requests. No ``on*``, ``style``, ``class`` or ``id`` attribute survives.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import nh3

from process.urls import canonical_url

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "ul", "ol", "li", "a", "strong", "b", "em", "i", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "abbr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"colspan", "rowspan"},
                      "td": {"colspan", "rowspan"}}  # fmt: skip
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "noopener noreferrer nofollow"
_DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "svg", "math", "iframe", "frame", "frameset", "object",
        "applet", "video", "audio", "picture", "canvas", "form", "select", "textarea", "button", "title",
        "head", "noembed", "noframes", "xmp", "plaintext",
    }
)  # fmt: skip
_H1 = re.compile(r"<(/?)h1(?=[\s/>])", re.IGNORECASE)
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]")


def clean_html(html: str, *, base_url: str | None) -> str:
    """Allowlist-clean ``html``; relative links resolved against ``base_url`` (dropped without one)."""
    if not html or not html.strip():
        return ""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if tag == "a" and attr == "href":
            return safe_link(value, base_url)
        return value

    cleaned = nh3.clean(
        _H1.sub(r"<\1h2", html),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        link_rel=LINK_REL,
        url_schemes=set(LINK_SCHEMES),
        strip_comments=True,
    )
    return cleaned.strip()


def safe_link(href: str, base_url: str | None) -> str | None:
    """An absolute http(s)/mailto/tel link, or None. Whitespace/control tricks are removed first."""
    href = _URL_JUNK.sub("", href)
    if not href:
        return None
    try:
        absolute = urljoin(base_url, href) if base_url else href
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES:
        return None
    if parts.scheme.lower() in {"http", "https"}:
        return canonical_url(absolute)  # also drops tracking parameters from links in the text
    return absolute
