"""Word forms and sections that used to mislead the tagger: words whose stem is an unrelated word's, recipient
sections running into their exclusions, general addressees inside compounds, tax names as business words."""

from __future__ import annotations

import random
import unicodedata

import pytest

from process.german import fold
from process.tagging import lead, recipients_text, tag_item
from process.taxonomy import load_taxonomy


def test_exact_words_do_not_match_by_stem() -> None:
    taxonomy = load_taxonomy()
    assert "handwerk" not in tag_item("Die meisten Betriebe öffnen wieder", "", taxonomy).sectors
    assert "handwerk" in tag_item("Meister gesucht", "", taxonomy).sectors
    assert "landwirtschaft" not in tag_item("Bau der Umgehungsstraße beginnt", "", taxonomy).sectors
    assert "landwirtschaft" in tag_item("Bauern bekommen Dürrehilfe", "", taxonomy).sectors
    founders = "soloselbststaendige-freie-berufe"
    assert founders not in tag_item("Aus gutem Grund: neue Regeln für Betriebe", "", taxonomy).sectors
    assert founders in tag_item("Gründer erhalten Beratung", "", taxonomy).sectors


def test_a_creditors_claim_is_no_funding() -> None:
    taxonomy = load_taxonomy()
    claims = tag_item("Forderungen im Insolvenzverfahren anmelden", "Gläubiger melden ihre Forderungen an.", taxonomy)
    assert "soforthilfen-zuschuesse" not in claims.topics
    funding = tag_item("Förderung für Unternehmen", "Die Förderung wird als Zuschuss gewährt.", taxonomy)
    assert "soforthilfen-zuschuesse" in funding.topics


def test_recipient_section_ends_where_it_names_the_excluded() -> None:
    text = (
        "1. Zuwendungszweck Gefördert werden Gründungen. 2. Zuwendungsempfänger sind natürliche Personen, die ein "
        "Unternehmen gründen. 3. Von der Förderung ausgeschlossen sind Studierende und Hochschulen."
    )
    window = recipients_text(text, load_taxonomy())
    assert "unternehmen gruenden" in window and "studierende" not in window
    tags = tag_item("Förderrichtlinie Gründungsbonus", text, load_taxonomy())
    assert tags.relevant, tags.relevance_reason
    assert (
        recipients_text("3. Zuwendungsempfänger sind KMU.\n## Richtlinie 4. Studierende", load_taxonomy()).strip()
        == "kmu."
    )


def test_businesses_inside_a_compound_are_no_general_addressee() -> None:
    text = "Zuwendungsempfänger sind Nahverkehrsunternehmen, Verkehrsverbünde und Busunternehmen im Freistaat."
    tags = tag_item("Richtlinie Nahverkehr", text, load_taxonomy())
    assert tags.sectors == ("verkehr-logistik",)
    general = tag_item("Richtlinie Nahverkehr", "Zuwendungsempfänger sind Unternehmen, Busunternehmen und "
                       "Verkehrsverbünde im Freistaat.", load_taxonomy())  # fmt: skip
    assert "alle-branchen" in general.sectors


def test_a_tax_name_is_no_business_addressee() -> None:
    taxonomy = load_taxonomy()
    law = tag_item(
        "Gesetz zum Ausgleich von Gewerbesteuermindereinnahmen",
        "Der Freistaat stellt seinen Gemeinden Finanzmittel zum Ausgleich der Gewerbesteuermindereinnahmen bereit.",
        taxonomy,
    )
    assert not law.relevant and law.sectors == ()
    page = tag_item("Gewerbesteuer", "Die Gewerbesteuer zahlen Betriebe an die Gemeinde ihres Sitzes.", taxonomy)
    assert page.relevant and page.sectors == ("alle-branchen",)


def test_the_official_long_title_of_a_legal_text_names_its_sector() -> None:
    """Regulations open with their long title ("Richtlinie des … zur Förderung der … Tourismuswirtschaft"): it
    states whom the measure is for like a title does — for sectors; its topic words ("Förderung") are generic."""
    from process.german import official_title

    text = (
        "\nRichtliniedes Sächsischen Staatsministeriumsfür Wirtschaft, Arbeit und Verkehrzur Förderung der "
        "gewerblichen Wirtschaft einschließlich der Tourismuswirtschaft\n\n## Richtlinie\n1. Zuwendungszweck "
        "Der Freistaat gewährt Zuwendungen. Zuwendungsempfänger sind kleine und mittlere Unternehmen."
    )
    assert official_title(text).endswith("einschließlich der Tourismuswirtschaft")
    assert official_title("Die Stadt informiert über Richtlinien.\n\nMehr Text") == ""
    assert official_title("Verordnung " + "x" * 600) == "", "no paragraph end in sight: not a title"
    tags = tag_item("Richtlinie GRW RIGA", text, load_taxonomy())
    assert "gastgewerbe-tourismus" in tags.sectors
    assert "Langtitel" in tags.reasons["sectors"]["gastgewerbe-tourismus"]
    # the same words in running text are mentioned in passing, not a title
    passing = "Zuwendungsempfänger sind kleine und mittlere Unternehmen. Auch die Tourismuswirtschaft ist gemeint."
    assert "gastgewerbe-tourismus" not in tag_item("Richtlinie GRW RIGA", passing, load_taxonomy()).sectors


def test_a_lead_that_only_starts_like_a_legal_title_is_no_title() -> None:
    from process.german import official_title

    assert official_title("Gesetzliche Änderungen für Handwerksbetriebe ab Januar.\n\nMehr") == ""
    assert official_title("Verordnungsentwurf liegt vor.\n\nMehr") == ""
    assert official_title("Gesetzüber das Kommunale Energie- und Klimabudget\n\n## Gesetz") != ""
    assert official_title("Allgemeinverfügung zur Regelung des Betriebs von Gaststätten\n\nText") != ""


def test_the_lead_ends_at_a_word_boundary_so_a_cut_word_is_no_second_hit() -> None:
    taxonomy = load_taxonomy()
    chars, period = taxonomy.lead_chars, "Gastronomie und Betriebe. "
    text = " " * ((chars - 10) % len(period)) + period * 60  # the lead's end cuts a "Gastronomie" after "Gastronomi"
    assert text[:chars].endswith("Gastronomi")
    assert lead(text, chars).endswith("Betriebe.")
    # one term, however often, is no sector; its cut-off "Gastronomi" was counted as a second, distinct term
    assert "gastgewerbe-tourismus" not in tag_item("Hinweis", text, taxonomy).sectors
    assert lead("kurz", chars) == "kurz" and lead("ein Wort", 5) == "ein" and lead("Wort. Ende", 5) == "Wort."
    assert lead("im\tOnline-Shop", 9) == "im" and lead("Industrie- und", 9) == "Industrie"


def test_the_recipient_section_ends_at_a_word_boundary() -> None:
    taxonomy = load_taxonomy()
    names = "Unternehmen der Gastronomie und Betriebe des Handwerks, "
    window = recipients_text("Zuwendungsempfänger sind " + names * 30, taxonomy)
    assert len(window) <= taxonomy.recipient_chars
    assert window.rstrip(" ,").endswith(tuple(fold(word) for word in names.replace(",", "").split()))


@pytest.mark.parametrize(
    ("title", "sector"),
    [
        ("Gastro- und Hotelbetrieb ab Mitte Mai wieder erlaubt", "gastgewerbe-tourismus"),
        ("Hotelgewerbe und Gastrobetriebe bangen um die Saison", "gastgewerbe-tourismus"),
        ("Supermärkte, Baumärkte und Drogeriemärkte bleiben offen", "handel"),
        ("Erntehelfer dürfen einreisen", "landwirtschaft"),
    ],
)
def test_compounds_and_plurals_of_sector_words(title: str, sector: str) -> None:
    """Compounds of a sector word ("Hotelbetrieb", "Gastro-") and umlaut plurals of shop formats
    ("Supermärkte" folds to "supermaerkte", which the part "supermarkt" would miss) name the sector."""
    assert sector in tag_item(title, "", load_taxonomy()).sectors


@pytest.mark.parametrize(
    ("title", "sector"),
    [
        ("Jetzt müssen Bund und Land handeln", "handel"),
        ("Geschäftliche Post: neue Regeln", "handel"),
        ("Flächen regelmäßig reinigen und lüften", "dienstleistungen"),
        ("Kontakt herstellen: so erreichen Sie das Amt", "industrie"),
        ("Bergbaustadt Freiberg feiert", "industrie"),
        ("Neue Parkplätze am Theaterplatz", "kultur-kreativwirtschaft"),
        ("Verwaltungsdienstleistungen online beantragen", "dienstleistungen"),
        ("Es handele sich um eine Vorsichtsmaßnahme", "handel"),
        ("Wohnraum für Menschen mit Mobilitätseinschränkungen", "verkehr-logistik"),
    ],
)
def test_verbs_and_names_that_share_a_trades_stem_name_no_trade(title: str, sector: str) -> None:
    """A verb whose stem is a trade's ("handeln"/"Handel", "reinigen"/"Reinigung", "herstellen"/"Hersteller")
    and names that contain one ("Bergbaustadt", "Theaterplatz") are no sign of that trade."""
    assert sector not in tag_item(title, "", load_taxonomy()).sectors


def _fold_by_definition(text: str) -> str:
    """What fold means: lower case, umlauts spelled out, then NFKD over the whole text without combining marks."""
    umlauts: dict[str, str | int | None] = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
    folded = text.lower().translate(str.maketrans(umlauts))
    return "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))


def test_fold_is_nfkd_without_combining_marks() -> None:
    """fold decomposes each distinct character once instead of the whole text: the same result on umlauts, capital
    sharp s, decomposed input, ligatures, compatibility characters, Hangul and random mixtures."""
    fixed = ["Überbrückungshilfe", "STRAẞE", "Ä-Ö-Ü", "A\u0308rger", "Café „Zur Post“ – 5 €", "ﬁnanzielle Ⅻ…",
             "İstanbul", "Crème brûlée", "한국어", "Öffnungszeiten\u00a0§ 3", ""]  # fmt: skip
    rng = random.Random(7)
    pool = "abcäöüÄÖÜßẞéçñÅø…„“–€§\u00a0ﬁ²Ⅻǟ\u0308\u0301\u0327\u05b0한"
    mixed = ["".join(rng.choice(pool) for _ in range(rng.randrange(1, 30))) for _ in range(2000)]
    for text in fixed + mixed:
        assert fold(text) == _fold_by_definition(text), repr(text)
    assert fold("Überbrückungshilfe für Straßen-Cafés") == "ueberbrueckungshilfe fuer strassen-cafes"


def test_the_recipients_of_a_grant_but_not_its_duty_clauses() -> None:
    """ "Empfänger der Zuwendung ist …" opens a recipient section (owner-occupiers: households, not businesses);
    "Der Zuwendungsempfänger ist verpflichtet, …", in every regulation, names the duties, not the recipients."""
    taxonomy = load_taxonomy()
    owners = "III. Zuwendungsempfänger Empfänger der Zuwendung ist der Eigentümer einer selbstgenutzten Wohnung."
    assert "eigentuemer einer selbstgenutzten wohnung" in recipients_text(owners, taxonomy)
    tags = tag_item("RL Wohnraumförderung", "Der Freistaat gewährt Zuwendungen. " + owners, taxonomy)
    assert not tags.relevant and "Empfänger sind" in tags.relevance_reason, tags.relevance_reason
    duties = "Der Zuwendungsempfänger ist verpflichtet, der Bewilligungsstelle jede Änderung anzuzeigen."
    assert recipients_text(duties, taxonomy) == ""
