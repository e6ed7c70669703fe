"""Title and main text of the real web pages in ../shared/corpus/trafilatura-de-pages (ministries, agencies,
chambers' and trade press, municipalities), for the labelled evaluation set.

The extraction is deliberately plain — the text blocks (paragraphs, list items, subheadings) of the page's
``<article>`` or ``<main>`` without navigation, header, footer and scripts — and checked against the corpus's
own expectations: a page is usable when every snippet its ``with`` list requires is in the extracted text.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

PAGES_DIR = "trafilatura-de-pages"
_DROP = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript", "iframe")
_BLOCKS = ("p", "li", "h2", "h3")
_MIN_BLOCK = 40  # shorter blocks are menu entries, buttons and captions


@lru_cache(maxsize=4)
def expectations(corpus: Path) -> dict[str, dict[str, Any]]:
    """The corpus's expected.json keyed by file name."""
    data = json.loads((corpus / PAGES_DIR / "expected.json").read_text(encoding="utf-8"))
    return {record["file"]: record for record in data.values()}


def page_text(corpus: Path, name: str) -> tuple[str, str]:
    """(title, main text) of one page; the title from the corpus's metadata, else the page's ``<h1>``."""
    soup = BeautifulSoup((corpus / PAGES_DIR / "html" / name).read_bytes(), "lxml")
    for tag in soup(list(_DROP)):
        tag.decompose()
    heading = soup.find("h1") or soup.find("title")
    title = expectations(corpus).get(name, {}).get("title") or (_squash(heading.get_text(" ")) if heading else "")
    root = soup.find("article") or soup.find("main") or soup.body or soup
    blocks = [_squash(el.get_text(" ")) for el in root.find_all(list(_BLOCKS)) if not el.find(list(_BLOCKS))]
    return str(title), "\n\n".join(b for b in blocks if len(b) >= _MIN_BLOCK)


def usable(corpus: Path, name: str) -> bool:
    """Every snippet the corpus requires of this page's main text is in the extracted text."""
    required = expectations(corpus).get(name, {}).get("with") or []
    text = _squash(page_text(corpus, name)[1])
    return bool(required) and all(_squash(snippet) in text for snippet in required)


def _squash(text: str) -> str:
    return " ".join(text.split())
