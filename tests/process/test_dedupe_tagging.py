"""Pure dedupe and tagging: degenerate input never merges or crashes; German matching; deadlines; taxonomy."""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from process import deadlines, tagging
from process.dates import BERLIN
from process.deadlines import find_deadline
from process.dedupe import fingerprint, verify
from process.tagging import SourceHints, tag_item
from process.taxonomy import load_taxonomy
from sources.catalog import SECTORS, TOPICS, TOWNS

TAX = load_taxonomy()
FOOTER = (
    "\nPressekontakt: Wirtschaftsförderung Mittelsachsen GmbH, Frauensteiner Straße 43, 09599 Freiberg, Telefon "
    "03731 000000. Die Wirtschaftsförderung unterstützt Unternehmen bei Ansiedlung, Fachkräftesicherung und "
    "Fördermittelfragen in allen Städten und Gemeinden des Landkreises."
)


def same(a: tuple[str, str], b: tuple[str, str]) -> str:
    return verify(fingerprint(*a), fingerprint(*b))[0]


def test_degenerate_texts_never_merge() -> None:
    assert same(("", ""), ("", "")) == "different"
    assert same(("Rathaus", "Heute geschlossen."), ("Rathaus", "Heute geschlossen.")) == "different"
    furniture = "Teilen\nDrucken\nNach oben\nDatenschutz\nImpressum"
    assert same(("A", furniture), ("B", furniture)) == "different"
    assert fingerprint("A", furniture).keys == ()


def test_identical_footers_on_unrelated_releases_do_not_merge() -> None:
    a = ("Neue Geschäftsführerin", "Die Wirtschaftsförderung hat eine neue Geschäftsführerin berufen." + FOOTER)
    b = ("Gewerbeflächen", "Im Gewerbegebiet Hainichen-Süd sind drei neue Grundstücke verfügbar." + FOOTER)
    assert same(a, b) == "different"


def test_a_megabyte_text_and_non_german_text_work() -> None:
    big = " ".join(f"Wort{n % 5000} Satz{n % 777}" for n in range(120_000))
    assert len(big) > 1_000_000
    fp = fingerprint("Groß", big)
    assert fp.keys and same(("Groß", big), ("Groß", big)) == "duplicate"
    english = "The quick brown fox jumps over the lazy dog near the river bank every single morning again."
    tags = tag_item("Weather report", english, TAX)
    assert not tags.relevant and tags.sectors == () and tags.topics == ()
    assert same(("x", english), ("y", english)) == "duplicate"
    assert tag_item("", "", TAX).relevant is False


def test_a_rewritten_regulation_under_the_same_official_name_is_a_version() -> None:
    rules_a = " ".join(f"§ {n} Gaststätten dürfen bis {n} Uhr öffnen, Abstand {n} Meter." for n in range(1, 30))
    rules_b = " ".join(f"§ {n} Betriebsuntersagung für Fitnessstudios Nummer {n} gilt ab sofort." for n in range(30))
    a = ("Sächsische Corona-Schutz-Verordnung vom 11. Dezember 2020 über Schutzmaßnahmen", rules_a)
    b = ("Sächsische Corona-Schutz-Verordnung vom 4. Mai 2021 über Schutzmaßnahmen", rules_b)
    fa, fb = fingerprint(*a), fingerprint(*b)
    assert fa.legal_title == fb.legal_title != "" and set(fa.keys) & set(fb.keys)  # the index finds the pair
    verdict, why = verify(fa, fb)
    assert verdict == "version" and "gleicher amtlicher Titel" in why
    town_a, town_b = fingerprint(*a, "https://www.doebeln.de/av/1"), fingerprint(*b, "https://doebeln.de/av/2")
    assert verify(town_a, town_b)[0] == "version"  # one site, with or without "www."
    other_town = fingerprint(*b, "https://www.freiberg.de/av/2")  # two towns' rules of the same name: not versions
    assert not set(town_a.keys) & set(other_town.keys) and verify(town_a, other_town)[0] == "different"
    heading = "# Verordnung des Sächsischen Staatsministeriums zum Schutz vor dem Coronavirus (SächsCoronaSchVO)\n\n"
    short = same(
        ("SächsCoronaSchVO ab 14. Dezember", heading + rules_a), ("SächsCoronaSchVO ab 10. Mai", heading + rules_b)
    )
    assert short == "version"  # a short title: the official title the text opens with names it
    generic = same(("Allgemeinverfügung vom 3. März 2021", rules_a), ("Allgemeinverfügung vom 9. April 2021", rules_b))
    assert generic == "different"  # "Allgemeinverfügung" names many texts
    assert fingerprint("Neue Regeln für die Gastronomie ab dem 10. Mai 2021 im Landkreis", rules_a).legal_title == ""


def test_no_two_different_regulations_of_the_corpus_share_an_official_name(corpus_dir: Path) -> None:
    folder = corpus_dir / "saxony-revosax-foerderrichtlinien"
    group_of = {}
    for line in (folder / "duplicates.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        files = line.split("\t")[1]
        group_of.update(dict.fromkeys((n.strip() for n in files.split("|")), files))
    names: dict[str, set[str]] = {}
    for path in sorted((folder / "markdown").glob("*.md")):
        title, _, text = path.read_text(encoding="utf-8").partition("\n")
        named = fingerprint(title.lstrip("# "), text).legal_title
        if named:
            names.setdefault(named, set()).add(group_of.get(path.name, path.name))
    assert len(names) > 40
    shared = [sorted(groups) for groups in names.values() if len(groups) > 1]  # byte-identical copies are one group
    # the one name two texts share: the "Richtlinie Digitale Offensive Sachsen" and its 2023 edition — versions
    assert shared == [["breitbandnetze_ausbau_2023_frl.md", "breitbandnetze_ausbau_frl.md | "
                       "hochgeschwindigkeits-breitbandnetze_ausbau_frl.md"]]  # fmt: skip


def test_german_matching_folds_compounds_and_inflections() -> None:
    tags = tag_item("Überbrückungshilfe für Friseurhandwerk", "Friseure und Friseurbetriebe erhalten Hilfe.", TAX)
    assert "handwerk" in tags.sectors and "soforthilfen-zuschuesse" in tags.topics
    assert "Titel: „Friseurhandwerk“" in tags.reasons["sectors"]["handwerk"]
    folded = tag_item("Ueberbrueckungshilfe fuer Friseurhandwerk", "", TAX)
    assert folded.sectors == tags.sectors
    assert "„Ueberbrueckungshilfe“" in folded.reasons["topics"]["soforthilfen-zuschuesse"]  # as this text spells it
    kammer = tag_item("Industrie- und Handelskammer informiert", "Die Industrie- und Handelskammer berät.", TAX)
    assert "industrie" not in kammer.sectors and "handel" not in kammer.sectors  # negative terms


def test_word_caches_stay_bounded_and_never_change_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [(f"Meldung {n}", f"Betriebe{n} und Handwerker{n} erhalten Überbrückungshilfe. Kurzarbeit{n} gilt.")
             for n in range(60)]  # fmt: skip
    first = [tag_item(title, text, TAX) for title, text in texts]
    monkeypatch.setattr(tagging, "_CACHED_WORDS", 10)  # a long-running worker meets new words all the time
    again = [tag_item(title, text, TAX) for title, text in texts]
    assert again == first and any(t.sectors for t in first)
    assert len(tagging._rules_by_word(TAX.sectors)) <= 10 + max(len(text.split()) for _, text in texts) + 2


def test_source_defaults_and_passed_on_county_texts() -> None:
    hwk = tag_item("Sprechtag für Betriebe", "Beratung zur Betriebsnachfolge.", TAX, SourceHints("hwk-chemnitz-x"))
    assert hwk.reasons["sectors"]["handwerk"] == "Vorgabe der Quelle hwk-chemnitz-x"
    town = SourceHints("rosswein-corona", towns=("Roßwein",))
    own = tag_item("Gewerbe in der Innenstadt", "Die Stadt berät Unternehmen zu Fördermitteln.", TAX, town)
    assert own.towns == ("Roßwein",)
    passed = tag_item("Allgemeinverfügung", "Das Landratsamt Mittelsachsen hat verfügt: Betriebe …", TAX, town)
    assert passed.towns == ()


def test_not_relevant_items_get_no_sector_and_no_topic() -> None:
    tags = tag_item("Geänderte Öffnungszeiten des Bürgerbüros", "Das Bürgerbüro öffnet am Montag.", TAX,
                    SourceHints("ihk-x", sectors=("alle-branchen",)))  # fmt: skip
    assert not tags.relevant and tags.sectors == () and tags.topics == ()
    assert tags.relevance_reason == "nicht wirtschaftsrelevant: Thema „Öffnungszeiten“ im Titel, kein Wirtschaftsthema"


def test_reasons_quote_the_words_as_the_text_writes_them() -> None:
    """Matching runs on folded text and word parts; staff read the text's own words, and labels, not slugs."""
    text = (
        "Zuwendungsempfänger sind Unternehmen der gewerblichen Wirtschaft, des Handwerks, des Handels und der "
        "Dienstleistungsbranche. Die ÜBERBRÜCKUNGSHILFE erstattet Fixkosten; Anträge stellen Betriebe in Döbeln."
    )
    tags = tag_item("Überbrückungshilfe für Geschäfte", text, TAX)
    assert tags.relevance_reason == "Empfänger sind Unternehmen: „Unternehmen“, „Betriebe“, „gewerblichen“"
    assert tags.reasons["topics"]["soforthilfen-zuschuesse"] == (
        "Regel soforthilfen-zuschuesse — Titel: „Überbrückungshilfe“; "
        "Text: „Zuwendungsempfänger“, „Überbrückungshilfe“, „Fixkosten“"
    )
    assert tags.reasons["sectors"]["alle-branchen"] == (
        "Empfänger zählen viele Branchen auf (Handwerk, Handel, Dienstleistungen): Unternehmen allgemein"
    )
    assert tags.reasons["towns"]["Döbeln"] == "im Text genannt: „Döbeln“"
    shouted = tag_item("Hinweis", "DIE ÜBERBRÜCKUNGSHILFE FÜR HÄNDLER ERSTATTET FIXKOSTEN.", TAX)
    assert shouted.relevance_reason == "Unternehmensbezug: „HÄNDLER“"
    assert "„ÜBERBRÜCKUNGSHILFE“" in shouted.reasons["topics"]["soforthilfen-zuschuesse"]


def test_deadlines_become_suggested_expiry() -> None:
    end_june = datetime(2021, 6, 30, 21, 59, 59, tzinfo=UTC)
    assert find_deadline("Antragsfrist bis 30.06.2021").expires_at == end_june  # type: ignore[union-attr]
    assert find_deadline("Die Regel ist gültig bis zum 30. Juni 2021.").expires_at == end_june  # type: ignore[union-attr]
    assert find_deadline("Anträge können bis zum 30.6.21 gestellt werden").expires_at == end_june  # type: ignore[union-attr]
    assert find_deadline("Am 30.06.2021 feiert die Stadt.") is None
    assert find_deadline("Anmeldung bis 10.05.2021 online.").expires_at.date() == date(2021, 5, 10)  # type: ignore[union-attr]
    assert find_deadline("Die Regeln gelten zunächst bis 14.03.2021.").expires_at.date() == date(2021, 3, 14)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        (
            "Diese Richtlinie tritt am Tag nach der Veröffentlichung in Kraft und mit Ablauf des 31. Dezember 2029 "
            "außer Kraft. Dresden, den 3. Mai 2023",
            date(2029, 12, 31),
        ),
        (
            "Dieses Gesetz tritt am Tag nach der Verkündung in Kraft und am 31. Dezember 2031 außer Kraft.",
            date(2031, 12, 31),
        ),
        (
            "## § 8 Außerkrafttreten\n\nDieses Gesetz tritt mit Ablauf des 31. Dezember 2026 außer Kraft.",
            date(2026, 12, 31),
        ),  # the heading's "§ 8" is not the sentence's subject
        (
            "Die Allgemeinverfügung tritt am 2. Dezember 2020 in Kraft. Sie tritt mit Ablauf des 28. Dezember 2020 "
            "außer Kraft.",
            date(2020, 12, 28),
        ),
        (
            "1. § 4a tritt mit Ablauf des 6. Januar 2021 außer Kraft. Im Übrigen tritt diese Verordnung mit Ablauf des "
            "2. November 2020 außer Kraft.",
            date(2020, 11, 2),
        ),  # one part's end is not the text's
        (
            "Diese Förderrichtlinie tritt mit Unterzeichnung in Kraft. Gleichzeitig tritt die Förderrichtlinie vom "
            "15. Dezember 2014 (SächsABl. S. 74) außer Kraft.",
            None,
        ),  # an earlier act repealed
        (
            "Die Sächsische Corona-Schutz-Verordnung vom 27. November 2020 tritt mit Ablauf des 13. Dezember 2020 "
            "außer Kraft.",
            None,
        ),  # an earlier act's end
        ("Die Allgemeinverfügung vom 10. März 2021 gilt bis zum 14.03.2021.", date(2021, 3, 14)),  # as news reports it
        (
            "Die Freistellungstatbestände der AGVO gelten bis zum 31. Dezember 2026 zuzüglich einer "
            "Anpassungsperiode von sechs Monaten.",
            None,
        ),  # the EU exemption's validity, standard in every regulation
        (
            "3. Ziffer II, Programmteil B) – Zuschüsse für Photovoltaikanlagen – tritt am 30. Juni 2026 außer Kraft.",
            None,
        ),
    ],
)
def test_a_regulation_ends_where_it_says_it_leaves_force(text: str, day: date | None) -> None:
    found = find_deadline(text)
    assert (found.expires_at.astimezone(BERLIN).date() if found else None) == day


def test_deadlines_are_found_in_any_case_and_quoted_as_written() -> None:
    """Matching runs on the lower-cased text (faster than a case-blind pattern); the reason quotes the text as it is
    written, also where lower-casing changes the text's length ("İ" becomes two characters) and the case-blind
    pattern runs on the text itself."""
    shouted = find_deadline("ANTRAGSFRIST BIS 30.06.2021")
    assert shouted is not None and shouted.reason == "ANTRAGSFRIST BIS 30.06.2021"
    closing = find_deadline("DIESE RICHTLINIE TRITT MIT ABLAUF DES 31. MÄRZ 2022 AUßER KRAFT.")
    assert closing is not None and closing.reason == "MIT ABLAUF DES 31. MÄRZ 2022 AUßER KRAFT"
    assert closing.expires_at.astimezone(BERLIN).date() == date(2022, 3, 31)
    longer = find_deadline("İzmir-Reisen: Antragsfrist bis 15. Mai 2022 für Reisebüros.")
    assert longer is not None and longer.reason == "Antragsfrist bis 15. Mai 2022"
    assert longer.expires_at.astimezone(BERLIN).date() == date(2022, 5, 15)


def test_every_deadline_trigger_starts_with_a_written_out_letter() -> None:
    """Keeps the deadline search fast (bench/tag_speed.py): with every alternative starting with a letter that is
    not optional, the regular-expression engine skips positions by their first character; a grouped alternative
    ("(?:gilt|gelten)\\s+bis") made it try all twenty triggers at every position of a long regulation."""
    assert all(re.match(r"[a-zäöüß](?![?*{])", trigger) for trigger in deadlines._TRIGGERS)
    assert find_deadline("Die Regeln gelten vorerst bis 14.03.2021.").expires_at.date() == date(2021, 3, 14)  # type: ignore[union-attr]
    assert find_deadline("Anträge sind spätestens am 1. März 2022 zu stellen.").expires_at.date() == date(2022, 3, 1)  # type: ignore[union-attr]


def test_taxonomy_matches_the_catalog_and_wz2008(corpus_dir: Path) -> None:
    assert TAX.slugs("sectors") == SECTORS and TAX.slugs("topics") == TOPICS and TAX.towns == TOWNS
    with (corpus_dir / "sector-taxonomy-wz2008" / "wz2008.tsv").open(encoding="utf-8") as handle:
        sections = {row["code"] for row in csv.DictReader(handle, delimiter="\t") if row["level"] == "1"}
    for rule in TAX.sectors:
        assert rule.wz2008 and set(rule.wz2008) <= sections, rule.slug
    assert TAX.priority("medienservice-smwa") < TAX.priority("sab-news") < TAX.priority("ihk-chemnitz-corona")
    assert TAX.priority("landkreis-mittelsachsen-neuigkeiten") < TAX.priority("doebeln-bekanntmachungen")
