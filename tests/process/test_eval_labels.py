"""`rubrik eval --labels FILE`: the rules measured on labelled items of one's own (JSON Lines or a JSON array),
through the real Typer app — scores, deviations, and German errors for files that cannot be used."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from bench.evalset import FIXTURES
from process.taxonomy import load_taxonomy
from tests.process.evalcli import run_eval

ITEMS = [
    {"id": "hilfe", "title": "Überbrückungshilfe für Hotels und Gaststätten",
     "text": "Hotels und Gaststätten können ab Montag Anträge auf Zuschüsse stellen.",
     "sectors": ["gastgewerbe-tourismus"], "topics": ["soforthilfen-zuschuesse"], "relevant": True},
    {"id": "buergerbuero", "title": "Geänderte Öffnungszeiten des Bürgerbüros",
     "text": "Das Bürgerbüro in Döbeln bleibt am Freitag geschlossen.", "sectors": [], "topics": [],
     "relevant": False, "towns": ["Döbeln"]},
    # labelled handel, which the rules cannot know from this text: one false and one missed sector
    {"id": "kug", "title": "Kurzarbeitergeld verlängert", "text": "Arbeitnehmer erhalten es bis Jahresende.",
     "sectors": ["handel"], "topics": ["kurzarbeit-beschaeftigte"], "relevant": True, "url": "ignored"},
]  # fmt: skip


def _jsonl(path: Path, entries: Sequence[object]) -> Path:
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entries) + "\n", encoding="utf-8")
    return path


def test_scores_and_deviations_of_a_labelled_file(tmp_path: Path) -> None:
    code, output = run_eval("--labels", str(_jsonl(tmp_path / "labels.jsonl", ITEMS)), "--verbose")
    assert code == 0, output
    assert "3 Einträge (1 nicht relevant)" in output
    lines = output.splitlines()
    sector_micro = lines[lines.index("topics (Regeln):") - 2]  # the last line of the sectors table
    assert "micro" in sector_micro and "(tp 1, fp 1, fn 1)" in sector_micro, sector_micro
    assert any("nicht relevant" in x and "(tp 1, fp 0, fn 0)" in x for x in lines)
    assert any(x.split()[:1] == ["Orte"] and "(tp 1, fp 0, fn 0)" in x for x in lines)  # the one labelled item
    assert "kug „Kurzarbeitergeld verlängert“: sectors ['handel'] → ['alle-branchen']" in output
    assert "hilfe „" not in output  # items the rules get right are not listed


def test_a_json_array_is_read_as_well(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(ITEMS[:2], ensure_ascii=False), encoding="utf-8")
    code, output = run_eval("--labels", str(path))
    assert code == 0 and "2 Einträge (1 nicht relevant)" in output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"title": "A"}\n', "Zeile 1: es fehlt text, sectors, topics, relevant"),
        (json.dumps(ITEMS[0]) + "\n{kaputt\n", "Zeile 2: kein gültiges JSON"),
        (json.dumps({**ITEMS[0], "sectors": ["gastro"]}), "Zeile 1: unbekannte sectors gastro"),
        (json.dumps({**ITEMS[0], "topics": "kredite-buergschaften"}), "Zeile 1: topics muss eine Liste sein"),
        ("[1, 2]", "Eintrag 1: ein Objekt erwartet"),
        (json.dumps({**ITEMS[0], "relevant": "nein"}), "Zeile 1: relevant muss true oder false sein"),
        (json.dumps({**ITEMS[0], "towns": ["Chemnitz"]}), "Zeile 1: towns muss eine Liste von Gemeinden"),
        ("\n\n", "keine Einträge"),
        (json.dumps({**ITEMS[0], "source_defaults": ["handwerk"]}), "Zeile 1: source_defaults muss ein Objekt"),
        (json.dumps({**ITEMS[0], "source_defaults": {"sectors": ["bau"]}}), "Zeile 1: source_defaults muss ein"),
        (json.dumps({**ITEMS[0], "source_defaults": {"branchen": []}}), "Zeile 1: source_defaults muss ein"),
        (json.dumps({**ITEMS[0], "source_defaults": {"towns": [["Döbeln"]]}}), "Zeile 1: source_defaults muss ein"),
        (json.dumps({**ITEMS[0], "sectors": [["handel"]]}), "Zeile 1: sectors muss eine Liste sein"),
        (json.dumps({**ITEMS[0], "towns": [{"Döbeln": 1}]}), "Zeile 1: towns muss eine Liste von Gemeinden"),
    ],
)
def test_unusable_files_are_refused_with_the_place(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(content, encoding="utf-8")
    code, output = run_eval("--labels", str(path))
    assert code == 2 and message in output, output


def test_one_half_of_a_set_is_measured_by_its_part(tmp_path: Path) -> None:
    """The extra sets are halved ("part": tuned on "einstellen", measured on "sauber"); --part measures one half."""
    halves = [{**ITEMS[0], "part": "einstellen"}, {**ITEMS[1], "part": "sauber"}, {**ITEMS[2], "part": "sauber"}]
    path = _jsonl(tmp_path / "labels.jsonl", halves)
    code, output = run_eval("--labels", str(path), "--part", "sauber")
    assert code == 0 and "part „sauber“: 2 Einträge (1 nicht relevant)" in output, output
    code, output = run_eval("--labels", str(path), "--part", "sonstwo")
    assert code == 2 and "keine Einträge mit part „sonstwo“" in output, output
    code, output = run_eval("--part", "sauber")
    assert code == 2 and "--part gilt nur zusammen mit --labels" in output, output
    # a broken line is refused with its place, as without --part, not skipped as belonging to another half
    path.write_text(path.read_text(encoding="utf-8") + "[1, 2]\n", encoding="utf-8")
    code, output = run_eval("--labels", str(path), "--part", "sauber")
    assert code == 2 and "Zeile 4: ein Objekt erwartet" in output, output


def test_source_defaults_written_out_win_over_the_catalog(tmp_path: Path) -> None:
    """An exported file carries its sources' tagging defaults (they may change in the catalog later); without
    them the catalog entry of ``source`` applies (the LfULG's: Landwirtschaft)."""
    notice = {"id": "lfulg", "title": "Sprechtag zur Betriebsnachfolge", "text": "Beratung am Freitag in Freiberg.",
              "source": "lfulg-aktuelles", "sectors": ["landwirtschaft"], "topics": ["veranstaltungen-beratung"],
              "relevant": True}  # fmt: skip
    cases = {"catalog": notice, "written": {**notice, "source_defaults": {"sectors": [], "topics": [], "towns": []}}}
    found = {}
    for name, entry in cases.items():
        code, output = run_eval("--labels", str(_jsonl(tmp_path / f"{name}.jsonl", [entry])), "--verbose")
        assert code == 0, output
        found[name] = output
    assert "lfulg „" not in found["catalog"]  # the catalog default gives Landwirtschaft
    assert "lfulg „Sprechtag zur Betriebsnachfolge“: sectors ['landwirtschaft'] → ['alle-branchen']" in found["written"]


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    code, output = run_eval("--labels", str(tmp_path / "fehlt.jsonl"))
    assert code == 2 and "fehlt.jsonl: nicht lesbar" in output


def test_the_labels_of_the_extra_sets_are_known_slugs() -> None:
    """tests/fixtures/eval/external_sets.yaml keeps the addresses and labels of the extra sets (not their texts):
    every label must stay a slug of the taxonomy, a not-relevant item has none, and no address is in two sets."""
    taxonomy = load_taxonomy()
    data = yaml.safe_load((FIXTURES / "external_sets.yaml").read_text(encoding="utf-8"))
    urls = [item["url"] for group in data["sets"] for item in group["items"]]
    assert len(data["sets"]) == 16 and len(urls) == 1270 and len(set(urls)) == len(urls)
    for group in data["sets"]:
        for item in group["items"]:
            for axis in ("sectors", "topics"):
                assert set(item[axis]) <= set(taxonomy.slugs(axis)), (group["name"], item["id"], axis)
            assert item["relevant"] or not (item["sectors"] or item["topics"]), item["id"]
