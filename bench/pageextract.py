"""How well the ``page`` parser (sources/parsers/page.py) finds a page's main text and title, on real German
pages with known answers in ../shared/corpus:

- trafilatura-de-pages: 70 pages (ministries, agencies, chambers' and trade press, towns), each with snippets the
  main text must hold (``with``) and boilerplate it must not (``without``): snippet precision/recall/F1.
- fundus-de-news: 44 news pages with the publisher's headline and article paragraphs: how many headlines come
  out exactly (the site name left out), the share of article paragraphs found (recall) and the share of
  extracted blocks that belong to the article (precision).

The pages are split by a hash of the file name into a dev half, on which the extraction rules are tuned, and a
held-out test half. Run: ``.venv/bin/python bench/pageextract.py`` (prints both halves, and the plain extraction
of bench/pagetext.py as a baseline for the snippets).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.evalset import HALVES, Scores  # noqa: E402
from bench.pagetext import PAGES_DIR, page_text  # noqa: E402
from sources.parsers.page import parse_page  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
FUNDUS_DIR = "fundus-de-news"
T = TypeVar("T", "Snippets", "Articles")


@dataclass(frozen=True)
class Snippets(Scores):
    """tp: expected snippets found, fn: expected snippets missing, fp: boilerplate snippets found."""

    pages: int = 0
    clean: int = 0  # pages with every expected snippet and no boilerplate one


@dataclass(frozen=True)
class Articles:
    pages: int = 0
    titles: int = 0  # headlines extracted exactly
    paragraphs: int = 0
    found: int = 0  # article paragraphs in the extracted text
    blocks: int = 0
    inside: int = 0  # extracted blocks that are part of the article

    @property
    def recall(self) -> float:
        return self.found / self.paragraphs if self.paragraphs else 1.0

    @property
    def precision(self) -> float:
        return self.inside / self.blocks if self.blocks else 1.0


def total(per_page: Iterable[tuple[str, T]], which: str | None = None) -> T | None:
    """The field-wise sum of the per-page scores of half ``which`` (None: all); None when there are none."""
    chosen = [score for name, score in per_page if which is None or half(name) == which]
    if not chosen:
        return None
    names = [f.name for f in fields(chosen[0])]
    return type(chosen[0])(*(sum(getattr(score, name) for score in chosen) for name in names))


def half(name: str) -> str:
    """ "dev" or "test" by a hash of the file name (as bench/evalset.py splits its items by id)."""
    return HALVES[hashlib.sha256(name.encode()).digest()[0] % 2]


def squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).replace("\xad", "").split())


def parsed(body: bytes, url: str) -> tuple[str, str]:
    """(title, main text) as the harvest stores them."""
    (entry,) = parse_page(body, url=url, headers={}).entries
    return entry.title, entry.content


def trafilatura_pages(corpus: Path = CORPUS) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(file, url, expectations) of every page."""
    data = json.loads((corpus / PAGES_DIR / "expected.json").read_text(encoding="utf-8"))
    return [(record["file"], url, record) for url, record in data.items()]


def page_snippets(
    corpus: Path = CORPUS, extract: Callable[[str, str], str] | None = None
) -> list[tuple[str, Snippets]]:
    """(file, snippet scores) of every trafilatura page; ``extract(file, url)`` gives the main text (default: the
    page parser). Each page is read and parsed once; ``total`` sums them per half."""
    scored = []
    for name, url, expected in trafilatura_pages(corpus):
        if extract is None:
            text = squash(parsed((corpus / PAGES_DIR / "html" / name).read_bytes(), url)[1])
        else:
            text = squash(extract(name, url))
        found = sum(squash(s) in text for s in expected["with"])
        leaked = sum(squash(s) in text for s in expected["without"])
        missing = len(expected["with"]) - found
        scored.append((name, Snippets(found, leaked, missing, pages=1, clean=int(not missing and not leaked))))
    return scored


def snippet_scores(
    corpus: Path = CORPUS, which: str | None = None, extract: Callable[[str, str], str] | None = None
) -> Snippets:
    """Snippet scores over the trafilatura pages of half ``which`` (None: all)."""
    return total(page_snippets(corpus, extract), which) or Snippets(0, 0, 0)


def fundus_pages(corpus: Path = CORPUS) -> list[tuple[str, dict[str, object]]]:
    """(html file, expected record) of every fundus page."""
    folder = corpus / FUNDUS_DIR
    versions = json.loads((folder / "version_to_html.json").read_text(encoding="utf-8"))
    pages: list[tuple[str, dict[str, object]]] = []
    for key, files in versions.items():
        publisher, version = key.split("#")
        record = json.loads((folder / publisher).read_text(encoding="utf-8"))[version]
        pages.extend((name, record) for name in files)
    return pages


def _article_parts(record: dict[str, object]) -> list[str]:
    body = record.get("body") or {}
    assert isinstance(body, dict)
    parts = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        parts += list(section.get("headline") or []) + list(section.get("paragraphs") or [])
    return [squash(p) for p in parts if squash(p)]


def page_articles(corpus: Path = CORPUS) -> list[tuple[str, Articles]]:
    """(file, scores) of every fundus page, each parsed once."""
    scored = []
    for name, record in fundus_pages(corpus):
        title, text = parsed(gzip.decompress((corpus / FUNDUS_DIR / name).read_bytes()), "https://example.org/a")
        parts = _article_parts(record)
        article = " ".join(parts)
        flat = squash(text)
        blocks = [squash(b) for b in text.split("\n\n") if squash(b)]
        scored.append((name, Articles(
            1,
            int(squash(title).casefold() == squash(str(record.get("title") or "")).casefold()),
            len(parts),
            sum(p in flat for p in parts),
            len(blocks),
            sum(b in article or any(p in b for p in parts) for b in blocks),
        )))  # fmt: skip
    return scored


def article_scores(corpus: Path = CORPUS, which: str | None = None) -> Articles:
    return total(page_articles(corpus), which) or Articles()


def _plain(corpus: Path) -> Callable[[str, str], str]:
    return lambda name, url: page_text(corpus, name)[1]


def report(corpus: Path = CORPUS) -> Iterable[str]:
    snippets, articles = page_snippets(corpus), page_articles(corpus)
    for which in (*HALVES, None):
        s = total(snippets, which) or Snippets(0, 0, 0)
        yield (
            f"trafilatura {which or 'alle':4}  Seiten {s.pages:3}  Schnipsel P {s.precision:.3f} R {s.recall:.3f} "
            f"F1 {s.f1:.3f}  (gefunden {s.tp}, fehlen {s.fn}, Beiwerk {s.fp}; ganz richtig {s.clean})"
        )
    plain = snippet_scores(corpus, None, _plain(corpus))
    yield (
        f"trafilatura alle  einfache Extraktion (bench/pagetext.py) zum Vergleich: P {plain.precision:.3f} "
        f"R {plain.recall:.3f} F1 {plain.f1:.3f}"
    )
    for which in (*HALVES, None):
        a = total(articles, which) or Articles()
        yield (
            f"fundus      {which or 'alle':4}  Seiten {a.pages:3}  Titel exakt {a.titles}/{a.pages}  "
            f"Absätze R {a.recall:.3f}  Blöcke im Artikel P {a.precision:.3f}"
        )


def main() -> None:
    if not CORPUS.is_dir():
        sys.exit(f"Korpus fehlt: {CORPUS}")
    started = time.perf_counter()
    for line in report():
        print(line)
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
