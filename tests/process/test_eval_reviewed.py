"""`rubrik eval --reviewed`: the rules measured on what staff reviewed in the store (corrected tags and items
approved as tagged), through the real Typer app on a real SQLite database; `--export` writes the same items as a
labelled file that `--labels` measures alike later."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from process.model import Entry
from process.taxonomy import load_taxonomy
from store import items_repo, sources_repo, tags_repo
from store.db import make_engine, session_factory, transaction, upgrade
from store.records import SourceSpec
from store.schema import ItemRow, SourceRow
from tests.process.evalcli import run_eval

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TAX = load_taxonomy()
SOURCES = [
    SourceSpec("sab-news", "SAB", "feed", "https://www.sab.sachsen.de/", 3600, True, {"sectors": ["alle-branchen"]}),
    SourceSpec("doebeln-aktuelles", "Döbeln", "listing", "https://www.doebeln.de/", 3600, True,
               {"towns": ["Döbeln"]}),
]  # fmt: skip
TEXTS = [  # (source, title, text)
    ("sab-news", "Überbrückungshilfe für Hotels und Gaststätten",
     "Hotels und Gaststätten können ab Montag Zuschüsse beantragen. Die SAB zahlt bis zu 20.000 Euro."),
    ("sab-news", "Darlehen für Kleinstunternehmen",
     "Kleinstunternehmen erhalten zinslose Darlehen der Sächsischen Aufbaubank."),
    ("doebeln-aktuelles", "Geänderte Öffnungszeiten des Bürgerbüros",
     "Das Bürgerbüro in Döbeln bleibt am Freitag geschlossen."),
    ("doebeln-aktuelles", "Händler in Döbeln liefern nach Hause",
     "Viele Geschäfte der Innenstadt liefern und bieten Gutscheine an."),
    ("doebeln-aktuelles", "Stadtrat tagt am Dienstag", "Die Sitzung des Stadtrats ist öffentlich."),
]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A database the CLI uses (through the environment), with five tagged items, none reviewed yet."""
    url = f"sqlite:///{tmp_path / 'rubrik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        sources_repo.sync_sources(session, SOURCES)
        for n, (source, title, text) in enumerate(TEXTS):
            entry = Entry(identity=f"guid:{n}", guid=str(n), url=f"https://example.org/{n}", title=title,
                          summary_html="", content_text=text, published_at=NOW - timedelta(days=1),
                          content_hash=hashlib.sha256((title + text).encode()).hexdigest())  # fmt: skip
            items_repo.record_entries(session, source, [entry], NOW)
        tags_repo.enrich_pending(session, TAX, NOW)
    monkeypatch.setenv("RUBRIK_DATABASE_URL", url)
    monkeypatch.setenv("RUBRIK_CONFIG", str(tmp_path / "none.toml"))
    yield factory
    engine.dispose()


def _review(factory) -> None:  # type: ignore[no-untyped-def]
    """Staff approve items 1, 2 and 4 as tagged, but give item 2 a topic the rules missed, mark item 3 not
    relevant and reject it, and reject item 5 without a correction; nothing else."""
    with transaction(factory) as session:
        items_repo.approve(session, [1, 2, 4], actor="anna", now=NOW)
        tags_repo.correct_tags(session, 2, sectors=["alle-branchen"], topics=["kredite-buergschaften",
                               "veranstaltungen-beratung"], towns=[], relevant=True, taxonomy=TAX, actor="anna",
                               now=NOW)  # fmt: skip
        tags_repo.correct_tags(session, 3, sectors=[], topics=[], towns=[], relevant=False, taxonomy=TAX,
                               actor="anna", now=NOW)  # fmt: skip
        items_repo.reject(session, [3, 5], actor="anna", now=NOW)


def test_nothing_reviewed_yet_is_said_in_german(store) -> None:  # type: ignore[no-untyped-def]
    code, output = run_eval("--reviewed")
    assert code == 2 and "Noch keine geprüften Einträge" in output, output


def test_the_rules_on_reviewed_items_and_the_export_measures_alike(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _review(store)
    export = tmp_path / "geprueft.jsonl"
    code, output = run_eval("--reviewed", "--export", str(export), "--verbose", "--no-classifier")
    assert code == 0, output
    assert "Von Mitarbeitern geprüfte Einträge: 4 Einträge (1 nicht relevant)" in output
    lines = output.splitlines()
    # the rules miss the "Beratung" staff added to item 2 and agree on the rest, item 3 not relevant included
    assert "item-2 „Darlehen für Kleinstunternehmen“: topics ['kredite-buergschaften', 'veranstaltungen-beratung'] "
    "→ ['kredite-buergschaften']" in output
    assert not any(x.startswith("  item-1 ") or x.startswith("  item-4 ") for x in lines), output
    assert "item-5" not in output  # rejected without a correction: not a reviewed tag
    assert any(x.split()[:2] == ["nicht", "relevant"] and "(tp 1, fp 0, fn 0)" in x for x in lines), output
    by_kind = [x for x in lines if x.startswith("  korrigiert") or x.startswith("  freigegeben")]
    assert any("korrigiert (2): topics" in x and "(tp 1, fp 0, fn 1)" in x for x in by_kind), by_kind
    assert any("freigegeben (2): sectors" in x and "(tp 2, fp 0, fn 0)" in x for x in by_kind), by_kind
    entries = [json.loads(x) for x in export.read_text(encoding="utf-8").splitlines()]
    assert [e["id"] for e in entries] == ["item-3", "item-2", "item-4", "item-1"]
    assert {e["id"]: e["part"] for e in entries} == {"item-3": "korrigiert", "item-2": "korrigiert",
                                                    "item-4": "freigegeben", "item-1": "freigegeben"}  # fmt: skip
    assert entries[0]["relevant"] is False and entries[0]["source_defaults"]["towns"] == ["Döbeln"]
    assert entries[3]["title"] == TEXTS[0][1] and entries[3]["text"] == TEXTS[0][2]
    code, again = run_eval("--labels", str(export), "--verbose")
    assert code == 0, again
    tables = output[output.index("\nsectors") : output.index("micro-F1 nach Art")].rstrip()
    assert tables in again  # the same items, the same scores and deviations
    code, newest = run_eval("--reviewed", "--limit", "1", "--no-classifier")  # the newest review: item 3's correction
    assert code == 0 and "geprüfte Einträge: 1 Einträge (1 nicht relevant)" in newest, newest
    code, corrected = run_eval("--reviewed", "--part", "korrigiert", "--no-classifier")
    assert code == 0 and "part „korrigiert“: 2 Einträge (1 nicht relevant)" in corrected, corrected
    assert "freigegeben: keine" in corrected


def test_the_classifier_is_measured_once_there_are_enough_reviewed_items(store) -> None:  # type: ignore[no-untyped-def]
    _review(store)
    code, output = run_eval("--reviewed")
    assert code == 0 and "Vorschläge: erst ab 20 geprüften Einträgen gemessen (jetzt 4)." in output, output
    with transaction(store) as session:  # 20 more reviewed items: cross-validated against the rules
        for n in range(20):
            source, title, text = TEXTS[n % 2]
            entry = Entry(identity=f"more:{n}", guid=f"m{n}", url=f"https://example.org/m{n}", title=f"{title} ({n})",
                          summary_html="", content_text=f"{text} Aufruf {n}.", published_at=NOW,
                          content_hash=hashlib.sha256(f"more{n}".encode()).hexdigest())  # fmt: skip
            items_repo.record_entries(session, source, [entry], NOW)
        tags_repo.enrich_pending(session, TAX, NOW)
        items_repo.approve(session, range(6, 26), actor="anna", now=NOW)
    code, output = run_eval("--reviewed")
    assert code == 0 and "24 Einträge" in output, output
    heading = "Vorschläge (logistische Regression, 5-fach kreuzvalidiert) gegen Regeln, micro:"
    rows = output[output.index(heading) :].splitlines()[1:7]
    kinds = ["Klassifikator", "Regeln", "Regeln+Klassifikator"]
    assert [x.split()[:2] for x in rows] == [[axis, kind] for axis in ("sectors", "topics") for kind in kinds], rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--reviewed", "--labels", "x.jsonl"), "--reviewed und --labels schließen einander aus"),
        (("--export", "x.jsonl"), "--export und --limit gelten nur zusammen mit --reviewed"),
        (("--limit", "5"), "--export und --limit gelten nur zusammen mit --reviewed"),
        (("--reviewed", "--part", "sauber"), "--part mit --reviewed: korrigiert oder freigegeben, nicht „sauber“"),
    ],
)
def test_options_that_do_not_fit_are_refused(store, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    _review(store)
    code, output = run_eval(*args)
    assert code == 2 and message in output, output


def test_an_export_that_cannot_be_written_is_named(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _review(store)
    code, output = run_eval("--reviewed", "--export", str(tmp_path / "fehlt" / "x.jsonl"))
    assert code == 2 and "x.jsonl: nicht schreibbar" in output, output


def test_an_item_with_a_tag_the_taxonomy_no_longer_has_is_named_and_left_out(store) -> None:  # type: ignore[no-untyped-def]
    _review(store)
    with transaction(store) as session:  # a slug renamed since item 4 was approved
        session.execute(update(ItemRow).where(ItemRow.id == 4).values(sectors=["einzelhandel"]))
        source = session.get(SourceRow, "sab-news")  # and one in a source's defaults: items 1 and 2 are the SAB's
        assert source is not None
        source.config = {**source.config, "topics": ["foerderung"]}
    code, output = run_eval("--reviewed", "--no-classifier")
    assert code == 0, output
    assert "Nicht gezählt, mit Schlagworten, die die Taxonomie nicht mehr kennt: item-2, item-4, item-1" in output
    assert "Von Mitarbeitern geprüfte Einträge: 1 Einträge (1 nicht relevant)" in output
