"""The ``page`` parser on real German pages with known answers (../shared/corpus, see bench/pageextract.py):
main text and title must not fall below what was measured when the extraction was last changed. Floors may only
be raised. Skipped when the corpus is absent."""

from __future__ import annotations

from pathlib import Path

from bench.pageextract import article_scores, snippet_scores

# measured 2026-11-26 (bench/pageextract.py: P 0.763, R 0.837, 35 titles, paragraphs R 0.960), rounded down;
# before this extraction: snippets P 0.654 R 0.846, titles 29/44
SNIPPET_PRECISION = 0.76
SNIPPET_RECALL = 0.83
TITLES_EXACT = 35
PARAGRAPH_RECALL = 0.95


def test_main_text_holds_the_article_and_leaves_related_links_out(corpus_dir: Path) -> None:
    scores = snippet_scores(corpus_dir)
    assert scores.pages == 70
    assert scores.precision >= SNIPPET_PRECISION, scores
    assert scores.recall >= SNIPPET_RECALL, scores


def test_news_headlines_come_without_the_site_name(corpus_dir: Path) -> None:
    scores = article_scores(corpus_dir)
    assert scores.pages == 44
    assert scores.titles >= TITLES_EXACT, scores
    assert scores.recall >= PARAGRAPH_RECALL, scores
