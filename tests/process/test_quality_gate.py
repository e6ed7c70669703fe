"""Quality gate: tagging and duplicate detection must not drop below the floors in tests/fixtures/eval/floors.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.process.evalset import FIXTURES, evaluate_pairs, evaluate_rules, load_items, load_pairs

FLOORS = yaml.safe_load((FIXTURES / "floors.yaml").read_text(encoding="utf-8"))


def test_the_labelled_set_is_big_enough(corpus_dir: Path) -> None:
    items = load_items(corpus_dir)
    assert len(items) >= 150
    assert sum(1 for item in items if not item.relevant) >= 20
    assert len([p for p in load_pairs(corpus_dir) if p.kind == "duplicate" and p.id.startswith("revosax")]) >= 34


@pytest.fixture(scope="module")
def rules() -> dict:  # type: ignore[type-arg]
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    return evaluate_rules(load_items(CORPUS))


def test_sector_tagging_floor(rules) -> None:  # type: ignore[no-untyped-def]
    assert rules["sectors"]["micro"].f1 >= FLOORS["sectors_micro_f1"]


def test_topic_tagging_floor(rules) -> None:  # type: ignore[no-untyped-def]
    assert rules["topics"]["micro"].f1 >= FLOORS["topics_micro_f1"]


def test_town_and_relevance_floors(rules) -> None:  # type: ignore[no-untyped-def]
    assert rules["towns"]["micro"].f1 >= FLOORS["towns_micro_f1"]
    assert rules["not_relevant"]["micro"].precision >= FLOORS["not_relevant_precision"]


def test_duplicate_detection_floor(corpus_dir: Path) -> None:
    scores = evaluate_pairs(load_pairs(corpus_dir))
    assert scores["duplicate"].precision >= FLOORS["duplicate_precision"]
    assert scores["duplicate"].recall >= FLOORS["duplicate_recall"]
    assert scores["version"].precision >= FLOORS["version_precision"]
    assert scores["version"].recall >= FLOORS["version_recall"]


def test_floors_meet_or_approach_the_targets_and_are_never_zero() -> None:
    assert all(0 < value <= 1 for value in FLOORS.values())
    assert FLOORS["duplicate_precision"] >= 0.98 and FLOORS["duplicate_recall"] >= 0.90
