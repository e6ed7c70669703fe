"""The small formatting subset staff write entries in, rendered to safe HTML.

Supported (and nothing else): paragraphs (blank line), line breaks, lists (lines starting with ``- `` or
``* ``; ``1. `` for numbered), ``**fett**``, ``*kursiv*``, links ``[Text](https://…)`` and bare http(s)
addresses. Everything is HTML-escaped first, so typed markup shows as text; the result still passes the
harvest's allowlist (:func:`process.sanitize.clean_html`), which also refuses any link that is not
http(s)/mailto/tel. Pure functions.
"""

from __future__ import annotations

import html
import re

from process.sanitize import clean_html

_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_LINK = re.compile(r"\[([^\]\n]{1,300})\]\(((?:https?://|mailto:|tel:)[^\s)]{1,2000})\)")
_BARE_URL = re.compile(r"(?<![\"'=\w/])(https?://[^\s<>\"')]{1,2000}[^\s<>\"').,;:!?])")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_PLACEHOLDER = "\x00{}\x00"


def render_markup(source: str) -> str:
    """Staff text in the subset above as allowlist-clean HTML ("" for blank input)."""
    blocks = re.split(r"\n\s*\n", source.replace("\r\n", "\n").replace("\r", "\n").strip())
    html_blocks = [_block(block) for block in blocks if block.strip()]
    return clean_html("\n".join(html_blocks), base_url=None)


def _block(block: str) -> str:
    lines = [line for line in block.split("\n") if line.strip()]
    for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
        matches = [pattern.match(line) for line in lines]
        if all(matches):
            items = "".join(f"<li>{_inline(m.group(1))}</li>" for m in matches if m)
            return f"<{tag}>{items}</{tag}>"
    return "<p>" + "<br>".join(_inline(line.strip()) for line in lines) + "</p>"


def _inline(text: str) -> str:
    """Escape, then turn links, bold and italic into tags; link targets are protected from the emphasis rules."""
    links: list[str] = []

    def keep(anchor: str) -> str:
        links.append(anchor)
        return _PLACEHOLDER.format(len(links) - 1)

    escaped = html.escape(text, quote=True)
    escaped = _LINK.sub(lambda m: keep(f'<a href="{m.group(2)}">{m.group(1)}</a>'), escaped)
    escaped = _BARE_URL.sub(lambda m: keep(f'<a href="{m.group(1)}">{m.group(1)}</a>'), escaped)
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    escaped = _ITALIC.sub(r"<em>\1</em>", escaped)
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], escaped)
