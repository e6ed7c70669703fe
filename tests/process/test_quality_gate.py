"""Quality gate: tagging and duplicate detection must not drop below the floors in tests/fixtures/eval/floors.yaml,
and those floors may only be raised (checked against the file's committed versions with git)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.eval import line, report
from bench.evalset import (
    CORPUS,
    FIXTURES,
    REPO,
    bootstrap_f1,
    compare_labels,
    evaluate_deadlines,
    evaluate_pairs,
    evaluate_rules,
    load_items,
    load_pairs,
    load_second_annotation,
    relabelled,
)
from bench.pagetext import page_text, usable
from process.taxonomy import load_taxonomy

FLOORS_FILE = FIXTURES / "floors.yaml"
FLOORS = yaml.safe_load(FLOORS_FILE.read_text(encoding="utf-8"))


def test_the_labelled_set_is_big_enough(corpus_dir: Path) -> None:
    items = load_items(corpus_dir)
    assert len(items) >= 150
    assert sum(1 for item in items if not item.relevant) >= 20
    assert len([p for p in load_pairs(corpus_dir) if p.kind == "duplicate" and p.id.startswith("revosax")]) >= 34
    halves = {item.half for item in items}
    assert halves == {"dev", "test"} and 0.4 < sum(i.half == "test" for i in items) / len(items) < 0.6


def test_the_bootstrap_interval_holds_the_score_and_is_repeatable(corpus_dir: Path) -> None:
    held_out = [item for item in load_items(corpus_dir) if item.group == "rubrik" and item.half == "test"]
    score = evaluate_rules(held_out)["sectors"]["micro"].f1
    low, high = bootstrap_f1(held_out, "sectors", rounds=300)
    assert low < score < high and high - low < 0.3
    assert bootstrap_f1(held_out, "sectors", rounds=300) == (low, high)  # seeded: the same every run


def test_labelled_web_pages_are_extracted_whole(corpus_dir: Path) -> None:
    """Each labelled web page's text holds every snippet the corpus expects of its main text, and no script."""
    labels = yaml.safe_load((FIXTURES / "corpus_labels.yaml").read_text(encoding="utf-8"))["items"]
    pages = [entry["file"] for entry in labels if entry["corpus"] == "pages"]
    assert len(pages) >= 40
    assert [name for name in pages if not usable(corpus_dir, name)] == []
    title, text = page_text(corpus_dir, "zdh.de-foerderungsstopp.html")
    assert title == "KfW-Förderungsstopp ist klimapolitisch fatales Signal"
    assert text.startswith('"Die sofortige Einstellung der KfW-Klimaschutzförderungen') and "<script" not in text


@pytest.fixture(scope="module")
def rules() -> dict[str, Any]:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    # the floors hold for the rubric's kind of texts; web pages from elsewhere have floors of their own
    items = [i for i in load_items(CORPUS) if i.group == "rubrik"]
    pages = [i for i in load_items(CORPUS) if i.group == "pages"]
    return {
        "all": evaluate_rules(items),
        "test": evaluate_rules([i for i in items if i.half == "test"]),
        "pages": evaluate_rules(pages),
        "adjudicated": evaluate_rules(relabelled(items, "adjudicated")),
        "adjudicated_test": evaluate_rules(relabelled([i for i in items if i.half == "test"], "adjudicated")),
    }


def test_sector_tagging_floor(rules: dict[str, Any]) -> None:
    assert rules["all"]["sectors"]["micro"].f1 >= FLOORS["sectors_micro_f1"]
    assert rules["test"]["sectors"]["micro"].f1 >= FLOORS["test_sectors_micro_f1"]


def test_topic_tagging_floor(rules: dict[str, Any]) -> None:
    assert rules["all"]["topics"]["micro"].f1 >= FLOORS["topics_micro_f1"]
    assert rules["test"]["topics"]["micro"].f1 >= FLOORS["test_topics_micro_f1"]


def test_town_and_relevance_floors(rules: dict[str, Any]) -> None:
    assert rules["all"]["towns"]["micro"].f1 >= FLOORS["towns_micro_f1"]
    assert rules["all"]["not_relevant"]["micro"].precision >= FLOORS["not_relevant_precision"]
    assert rules["all"]["not_relevant"]["micro"].recall >= FLOORS["not_relevant_recall"]


def test_web_page_floors(rules: dict[str, Any]) -> None:
    assert rules["pages"]["sectors"]["micro"].f1 >= FLOORS["pages_sectors_micro_f1"]
    assert rules["pages"]["topics"]["micro"].f1 >= FLOORS["pages_topics_micro_f1"]
    assert rules["pages"]["not_relevant"]["micro"].precision >= FLOORS["pages_not_relevant_precision"]
    assert rules["pages"]["not_relevant"]["micro"].recall >= FLOORS["pages_not_relevant_recall"]


def test_floors_against_the_adjudicated_second_annotation(rules: dict[str, Any]) -> None:
    """The same texts, measured against the labels two blind annotations and a blind adjudication agreed on."""
    for key, scores in (("adjudicated", rules["adjudicated"]), ("adjudicated_test", rules["adjudicated_test"])):
        assert scores["sectors"]["micro"].f1 >= FLOORS[f"{key}_sectors_micro_f1"]
        assert scores["topics"]["micro"].f1 >= FLOORS[f"{key}_topics_micro_f1"]
    assert rules["adjudicated"]["not_relevant"]["micro"].precision >= FLOORS["adjudicated_not_relevant_precision"]
    assert rules["adjudicated"]["not_relevant"]["micro"].recall >= FLOORS["adjudicated_not_relevant_recall"]


def test_the_second_annotation_covers_the_rubric_texts_with_known_slugs(corpus_dir: Path) -> None:
    """Every text of the rubric's kind is labelled a second time; adjudicated exactly where the two differ; known
    slugs only; nothing not relevant carries a sector or topic."""
    items = {i.id: i for i in load_items(corpus_dir) if i.group == "rubrik"}
    annotation = load_second_annotation()
    assert set(annotation) == set(items)
    taxonomy = load_taxonomy()
    known = {axis: set(taxonomy.slugs(axis)) for axis in ("sectors", "topics")}
    disputed = 0
    for item_id, entry in annotation.items():
        first = {"relevant": items[item_id].relevant, "sectors": sorted(items[item_id].sectors),
                 "topics": sorted(items[item_id].topics)}  # fmt: skip
        assert ("adjudicated" in entry) == (entry["second"] != first), item_id
        disputed += "adjudicated" in entry
        for labels in (entry["second"], entry.get("adjudicated", entry["second"])):
            assert all(set(labels[axis]) <= known[axis] for axis in known), item_id
            assert labels["relevant"] or labels["sectors"] == labels["topics"] == [], item_id
    assert disputed == 85


def test_the_report_shows_the_annotators_agreement_and_the_adjudicated_scores(corpus_dir: Path) -> None:
    printed: list[str] = []
    report(corpus_dir, classifier=False, out=printed.append)
    assert "\nZweite Annotation (184 Texte der Rubrik-Art, blind gelabelt, Abweichungen blind abgestimmt):" in printed
    held_out = [i for i in load_items(corpus_dir) if i.group == "rubrik" and i.half == "test"]
    second = compare_labels(list(zip(held_out, relabelled(held_out, "second"), strict=True)), load_taxonomy())
    assert line("test: 2./1. Annotation sectors", second["sectors"]["micro"]) in printed
    adjudicated = evaluate_rules(relabelled(held_out, "adjudicated"))
    assert line("test: abgestimmt nicht relevant", adjudicated["not_relevant"]["micro"]) in printed
    assert second["sectors"]["micro"].tp > 0 and adjudicated["sectors"]["micro"].tp > 0


def test_deadline_floor(corpus_dir: Path) -> None:
    dated = [item for item in load_items(corpus_dir) if item.expiry_labelled]
    assert len(dated) >= 100 and sum(item.expires is not None for item in dated) >= 40
    scores = evaluate_deadlines(dated)
    assert scores.precision >= FLOORS["deadline_precision"]
    assert scores.recall >= FLOORS["deadline_recall"]


def test_duplicate_detection_floor(corpus_dir: Path) -> None:
    scores = evaluate_pairs(load_pairs(corpus_dir))
    assert scores["duplicate"].precision >= FLOORS["duplicate_precision"]
    assert scores["duplicate"].recall >= FLOORS["duplicate_recall"]
    assert scores["version"].precision >= FLOORS["version_precision"]
    assert scores["version"].recall >= FLOORS["version_recall"]


def test_floors_meet_or_approach_the_targets_and_are_never_zero() -> None:
    assert all(0 < value <= 1 for value in FLOORS.values())
    assert FLOORS["duplicate_precision"] >= 0.98 and FLOORS["duplicate_recall"] >= 0.90


def lowered(floors: dict[str, float], before: dict[str, float]) -> list[str]:
    """Floors of ``before`` that ``floors`` lowers or drops."""
    return [f"{key}: {old} → {floors.get(key)}" for key, old in before.items() if floors.get(key, -1.0) < old]


def test_lowering_is_detected() -> None:
    assert lowered({"a": 0.8, "b": 0.5}, {"a": 0.8, "b": 0.6}) == ["b: 0.6 → 0.5"]
    assert lowered({"a": 0.8}, {"a": 0.8, "b": 0.6}) == ["b: 0.6 → None"]
    assert lowered({"a": 0.9, "b": 0.6, "c": 0.1}, {"a": 0.8, "b": 0.6}) == []


def _committed_floors() -> dict[str, dict[str, float]]:
    """floors.yaml as committed at HEAD, HEAD~1 and the merge base with main (those that exist)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("git or the repository history is unavailable")
    path = FLOORS_FILE.relative_to(REPO).as_posix()
    refs = ["HEAD", "HEAD~1"]
    base = subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=REPO, capture_output=True, text=True)
    if base.returncode == 0:
        refs.append(base.stdout.strip())
    found = {}
    for ref in refs:
        shown = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=REPO, capture_output=True, text=True)
        if shown.returncode == 0:
            found[ref] = yaml.safe_load(shown.stdout)
    return found


def test_floors_are_only_raised() -> None:
    problems = [f"{ref}: {p}" for ref, before in _committed_floors().items() for p in lowered(FLOORS, before)]
    assert not problems, "Qualitätsuntergrenzen dürfen nur steigen: " + "; ".join(problems)
