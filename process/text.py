"""Plain text from harvested HTML or text: tags stripped, entities decoded, whitespace and control
characters cleaned, Unicode NFC, length capped at a word boundary.

``<script>``, ``<style>`` and similar elements are dropped with their content. Block elements become line
breaks so body text keeps its paragraphs; ``one_line`` flattens for titles.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

# Long enough for the longest Saxon funding regulations (up to ~92,000 characters in ../shared/corpus): their
# closing clause ("tritt … außer Kraft", the suggested expiry) stands at the very end; a 1 MB text is still capped.
DEFAULT_MAX_LEN = 200_000
TITLE_MAX_LEN = 300
ELLIPSIS = "…"

_DROP_CONTENT = frozenset({"script", "style", "template", "noscript", "svg", "math", "head", "title", "iframe"})
_BLOCKS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "section", "article",
        "header", "footer", "aside", "nav", "main", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
        "pre", "hr", "figure", "figcaption", "address", "details", "summary", "form", "fieldset",
    }
)  # fmt: skip
# Invisible or direction-changing characters that only ever hide or disguise text.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._dropping.append(tag)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._dropping and tag == self._dropping[-1]:
            self._dropping.pop()
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(data)


def strip_tags(html_or_text: str) -> str:
    """Text content of an HTML fragment (entities decoded, scripts and styles dropped)."""
    if "<" not in html_or_text and "&" not in html_or_text:
        return html_or_text
    parser = _TextExtractor()
    parser.feed(html_or_text)
    parser.close()
    return "".join(parser.parts)


def clean_text(text: str) -> str:
    """Control characters out, NFC, whitespace collapsed; paragraph breaks kept as one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    text = unicodedata.normalize("NFC", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def truncate(text: str, max_len: int) -> str:
    """Cap at ``max_len`` characters, cutting at a word boundary and ending with "…"."""
    if len(text) <= max_len:
        return text
    if max_len <= len(ELLIPSIS):
        return ELLIPSIS[:max_len]
    cut = text[: max_len - len(ELLIPSIS) + 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    # Only back up to a word boundary when that keeps most of the text (one huge "word" is cut hard).
    cut = cut[:space] if space >= max_len * 0.6 else cut[:-1]
    return cut.rstrip(" \n,;:-–") + ELLIPSIS


def plain_text(html_or_text: str, *, max_len: int = DEFAULT_MAX_LEN) -> str:
    """Plain text of HTML or text, cleaned and capped (see module docstring)."""
    return truncate(clean_text(strip_tags(html_or_text)), max_len)


def one_line(text: str, max_len: int = TITLE_MAX_LEN) -> str:
    """Plain text on a single line (for titles); markup is stripped as in ``plain_text``."""
    return truncate(" ".join(clean_text(strip_tags(text)).split()), max_len)
