"""Topic rules cover the general vocabulary of business-support communication (funding calls, loans, employment
law, tax compounds, permits and law-making, training, events) — and leave out words that look topical but are
page furniture or another topic's term."""

from __future__ import annotations

import pytest

from process.tagging import tag_item
from process.taxonomy import load_taxonomy


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("Neuer Förderaufruf für kleine Unternehmen", "soforthilfen-zuschuesse"),
        ("Zinsgünstige Finanzierungshilfe über die Hausbank", "kredite-buergschaften"),
        ("Entgeltfortzahlung und Überstunden: was Betriebe wissen müssen", "kurzarbeit-beschaeftigte"),
        ("Verkündung des Tabaksteuermodernisierungsgesetzes", "steuern-abgaben"),
        ("Bußgeld bei Verstoß gegen die Meldepflicht für Betriebe", "recht-verordnungen"),
        ("Fortbildung und Umschulung gegen den Fachkräftemangel", "ausbildung-fachkraefte"),
        ("Informationsabend und Fachmesse für Unternehmen", "veranstaltungen-beratung"),
        ("Regionale Produkte auf dem Online-Marktplatz", "kauf-regional"),
    ],
)
def test_general_domain_terms_give_their_topic(title: str, topic: str) -> None:
    assert topic in tag_item(title, "", load_taxonomy()).topics


def test_tax_compound_with_steuer_inside_names_the_tax_topic() -> None:
    tags = tag_item("Verkündung des Tabaksteuermodernisierungsgesetzes", "", load_taxonomy())
    assert "steuermodernis" in tags.reasons["topics"]["steuern-abgaben"]
    assert tags.relevant  # a tax is a business subject by itself


def test_contact_persons_of_a_portal_page_are_no_advice_offer() -> None:
    tags = tag_item("Reisegewerbe", "Ansprechpartner: Gewerbeamt. Ihr Ansprechpartner hilft bei Fragen zum Gewerbe.",
                    load_taxonomy())  # fmt: skip
    assert "veranstaltungen-beratung" not in tags.topics


def test_banking_law_is_no_loan() -> None:
    tags = tag_item("Linksammlung Unternehmensnachfolge", "Hinweise zum Gesetz über das Kreditwesen für Unternehmen.",
                    load_taxonomy())  # fmt: skip
    assert "kredite-buergschaften" not in tags.topics


def test_legal_adjectives_of_recipients_and_aid_approval_are_not_law_news() -> None:
    text = ("Zuwendungsempfänger sind rechtlich selbstständige Unternehmen. Es gilt das Doppelförderungsverbot. "
            "Die Genehmigung der Europäischen Kommission liegt vor.")  # fmt: skip
    assert "recht-verordnungen" not in tag_item("Förderrichtlinie Digitalisierung", text, load_taxonomy()).topics
    notice = tag_item("Sperrfristende: Rechtliche Hinweise zur Düngung", "", load_taxonomy())
    assert "recht-verordnungen" in notice.topics
