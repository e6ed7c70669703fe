"""The sectors' `wz_parts` come from WZ 2008 titles: each term must occur in a title of one of the sector's WZ
sections, so the lists stay traceable to the classification and are not tuned to the evaluation set."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from process.german import fold
from process.tagging import tag_item
from process.taxonomy import TAXONOMY_FILE, TaxonomyError, load_taxonomy


def _titles_by_section(corpus_dir: Path) -> dict[str, list[str]]:
    path = corpus_dir / "sector-taxonomy-wz2008" / "wz2008.tsv"
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
    parent = {row["code"]: row["parent"] for row in rows}

    def section(code: str) -> str:
        while parent.get(code):
            code = parent[code]
        return code

    titles: dict[str, list[str]] = {}
    for row in rows:
        titles.setdefault(section(row["code"]), []).append(fold(row["title"]))
    return titles


def test_wz_parts_are_taken_from_wz2008_titles(corpus_dir: Path) -> None:
    titles = _titles_by_section(corpus_dir)
    sectors = yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))["sectors"]
    checked = 0
    for slug, body in sectors.items():
        for term in body.get("wz_parts") or ():
            sections = body["wz2008"]
            assert any(fold(term) in t for s in sections for t in titles.get(s, ())), (slug, term)
            checked += 1
    assert checked >= 20


def test_wz_parts_tag_like_parts() -> None:
    tags = tag_item("Hilfen für das Ausbaugewerbe und die Lagerei", "Betriebe können Anträge stellen.", load_taxonomy())
    assert {"handwerk", "verkehr-logistik"} <= set(tags.sectors)


@pytest.mark.parametrize("name", ["business_topics", "checked_topics", "checked_topics_long"])
def test_a_relevance_topic_that_is_no_topic_is_refused(tmp_path: Path, name: str) -> None:
    """A misspelt slug in the relevance lists would silently change relevance: loading refuses it."""
    data = yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))
    data["relevance"][name] = ["recht-verordnung"]
    broken = tmp_path / "taxonomy.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=f"relevance {name}: unknown topics"):
        load_taxonomy(broken)
