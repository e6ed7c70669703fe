"""News about one trade is that trade's, not businesses' in general; groups named beside businesses in general
are addressees of their own; trade vocabulary found on real texts of the rubric's kind; notices for parents and
patients, citizens' services and clubs are no business news (2026-11, third to tenth dev sets: README "Qualität")."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from process.tagging import tag_item
from process.taxonomy import TAXONOMY_FILE, TaxonomyError, load_taxonomy

TAXI = (
    "Keine Touristen, keine Feiern, keine Kundschaft: schwere Zeiten für die Taxifahrer der Stadt. "
    "In der Funkzentrale der Taxi-Genossenschaft klingelt kaum noch das Telefon, viele haben Kurzarbeit angemeldet."
)


def test_a_trade_named_repeatedly_beats_the_general_fallback() -> None:
    tags = tag_item("Corona-Schock: Fahrer rollen in die Pleite", TAXI, load_taxonomy())
    assert tags.relevant, tags.relevance_reason
    assert tags.sectors == ("verkehr-logistik",)
    reason = tags.reasons["sectors"]["verkehr-logistik"]
    assert "einzige mehrfach genannte Branche" in reason and "„Taxifahrer“" in reason


def test_the_trade_fallback_needs_repetition_a_single_leader_and_no_general_addressee() -> None:
    """Repetition in a long text; in a teaser (no longer than the lead) the one trade it names is its subject."""
    taxonomy = load_taxonomy()
    short = "Die Taxifahrer der Stadt melden Kurzarbeit an."
    long_text = short + " Die Lage bleibt schwierig, sagt der Sprecher." * 20
    assert len(long_text) > taxonomy.lead_chars
    assert tag_item("Corona-Schock", long_text, taxonomy).sectors == ("alle-branchen",)
    once = tag_item("Corona-Schock", short, taxonomy)
    assert once.sectors == ("verkehr-logistik",)
    reason = once.reasons["sectors"]["verkehr-logistik"]
    assert "einzige genannte Branche einer Kurzmeldung (1×: „Taxifahrer“)" in reason
    teaser_off = dataclasses.replace(taxonomy, trade_fallback_teaser_hits=0)
    assert tag_item("Corona-Schock", short, teaser_off).sectors == ("alle-branchen",)
    general = tag_item("Corona-Schock", TAXI + " Auch andere Unternehmen der Stadt leiden.", taxonomy)
    assert general.sectors == ("alle-branchen",), general.reasons
    tied = tag_item(
        "Corona-Schock",
        "Die Taxifahrer und die Gastronomen der Stadt melden Kurzarbeit an: leere Taxis, leere Gaststätten.",
        taxonomy,
    )
    assert tied.sectors == ("alle-branchen",), tied.reasons  # two trades twice each: neither leads
    off = dataclasses.replace(taxonomy, trade_fallback_hits=0)
    assert tag_item("Corona-Schock: Fahrer rollen in die Pleite", TAXI, off).sectors == ("alle-branchen",)


def test_the_self_employed_are_no_trade_for_the_fallback() -> None:
    text = "Wer ein Einzelunternehmen führt, meldet es beim Gewerbeamt an. Auch Einzelunternehmer zahlen Kurzarbeit."
    assert tag_item("Kurzarbeit anmelden", text, load_taxonomy()).sectors == ("alle-branchen",)


def test_a_group_named_beside_businesses_in_general_is_an_addressee() -> None:
    text = (
        "Unternehmen und Selbstständige, die wegen der Corona-Krise in Schwierigkeiten sind, können bei ihrer "
        "Krankenkasse eine Stundung der Beiträge beantragen. "
    ) + "Der Spitzenverband hat dazu eine Empfehlung herausgegeben und Fristen genannt. " * 10
    tags = tag_item("Stundung der Beiträge möglich", text, load_taxonomy())
    assert set(tags.sectors) == {"alle-branchen", "soloselbststaendige-freie-berufe"}
    assert "neben Unternehmen allgemein genannt" in tags.reasons["sectors"]["soloselbststaendige-freie-berufe"]


def test_founders_named_beside_businesses_are_no_group_of_their_own() -> None:
    text = (
        "Betriebe und Existenzgründer können ab sofort Anträge stellen. "
        + "Gefördert werden Investitionen in Maschinen und Gebäude, die Bewilligung erfolgt durch die SAB. " * 10
    )
    assert tag_item("Investitionsprogramm", text, load_taxonomy()).sectors == ("alle-branchen",)


@pytest.mark.parametrize(
    ("title", "sector"),
    [
        ("Hilfe für Selbständige aus der Kultur", "soloselbststaendige-freie-berufe"),  # one-"st" spelling
        ("Wann dürfen Kosmetikstudios und Nagelstudios öffnen?", "dienstleistungen"),
        ("Standbetreiber auf dem Wochenmarkt", "handel"),
        ("Beihilfe für stromintensive Betriebe", "industrie"),
        ("Auswirkungen der Krise auf den Personenverkehr", "verkehr-logistik"),
        ("Ausnahmen von den Lenk- und Ruhezeiten", "verkehr-logistik"),
        ("Bauernverband: Hofläden haben geöffnet", "landwirtschaft"),
        ("Spargelernte beginnt mit weniger Helfern", "landwirtschaft"),
        ("Alle Weihnachtsmärkte abgesagt", "handel"),
        ("Tagespflege: Ausgleich für Einnahmeausfälle", "gesundheit-soziales"),
        ("Sechs Fachärzte bei der Niederlassung gefördert", "gesundheit-soziales"),
        ("Gastro dahoam: heimische Wirte liefern", "gastgewerbe-tourismus"),
        ("Pflanzenschutzmittel-Anwendung anzeigen", "landwirtschaft"),
        ("Heimaufsicht", "gesundheit-soziales"),
        ("Pflegezukunftsinvestitions-Richtlinie", "gesundheit-soziales"),
        ("Maklererlaubnis", "dienstleistungen"),
        ("Immissionsschutzrechtliche Genehmigung", "industrie"),
        # thirteenth dev set (2026-11)
        ("Förderrichtlinie Teichwirtschaft und Naturschutz", "landwirtschaft"),
        ("Fördermittel für Schmalspurbahnen", "verkehr-logistik"),
        ("Richtlinie für JTF-unterstützte Wasserstoffprojekte", "industrie"),
        ("Direktvertrieb von Waren", "handel"),
        # seventeenth dev set (2026-11): livestock farming and the keepers' fund, waste management
        ("Programm der Sächsischen Tierseuchenkasse", "landwirtschaft"),
        ("Förderrichtlinie Tierzucht", "landwirtschaft"),
        ("Salmonellenmonitoring in Ferkelaufzuchtbetrieben", "landwirtschaft"),
        ("Beratung für Schweine haltende Betriebe", "landwirtschaft"),
        ("Sächsisches Kreislaufwirtschaftsgesetz", "industrie"),
    ],
)
def test_trade_vocabulary(title: str, sector: str) -> None:
    assert sector in tag_item(title, "", load_taxonomy()).sectors


def test_cosmetics_are_no_craft_and_debt_settlement_no_cleaning() -> None:
    taxonomy = load_taxonomy()
    assert "handwerk" not in tag_item("Kosmetikstudios dürfen öffnen", "", taxonomy).sectors
    debts = tag_item("Insolvenz", "Vorher steht ein außergerichtlicher Schuldenbereinigungsversuch.", taxonomy)
    assert "dienstleistungen" not in debts.sectors


def test_the_manufacturing_sector_by_its_official_name() -> None:
    tags = tag_item("Gute Nachricht für das verarbeitende Gewerbe", "Die Förderung geht weiter.", load_taxonomy())
    assert "industrie" in tags.sectors


@pytest.mark.parametrize(
    "title",
    [
        "Wie lange sind die Kindertagesstätten noch offen?",
        "Landkreis richtet drei feste Impfstellen ein",
        "Informationen für Schulen und Kindertageseinrichtungen",
        "Corona-Teststellen beenden ihre Arbeit",
    ],
)
def test_notices_for_parents_and_patients_are_not_business_news(title: str) -> None:
    text = "Die Einrichtungen werden weiter betrieben, Eltern und Besucher informieren sich auf der Website."
    tags = tag_item(title, text, load_taxonomy())
    assert not tags.relevant and tags.sectors == (), tags.relevance_reason


def test_an_office_back_to_normal_and_a_towns_founder_name_no_business() -> None:
    taxonomy = load_taxonomy()
    office = tag_item("Landratsamt so gut wie im Normalbetrieb", "Es läuft wieder alles im Normalbetrieb.", taxonomy)
    assert not office.relevant, office.relevance_reason
    market = tag_item("Christmarkt eröffnet", "Die Kinder ziehen am Denkmal des Stadtgründers vorbei.", taxonomy)
    assert not market.relevant, market.relevance_reason


def test_a_funds_budget_plan_names_no_business() -> None:
    text = "Das Sondervermögen stellt für jedes Wirtschaftsjahr einen Wirtschaftsplan auf."
    tags = tag_item("Gesetz über die Errichtung eines Sondervermögens", text, load_taxonomy())
    assert not tags.relevant, tags.relevance_reason


def test_unknown_sector_in_the_trade_fallback_is_refused(tmp_path: Path) -> None:
    text = TAXONOMY_FILE.read_text(encoding="utf-8").replace(
        "skip: [soloselbststaendige-freie-berufe]}", "skip: [solo]}"
    )
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match="trade_fallback skip"):
        load_taxonomy(path)


def test_a_citizens_fee_is_no_levy_topic() -> None:
    text = "Die Entsorgung von Hausrestabfällen erfolgt über die Tonne oder gebührenpflichtige zusätzliche Säcke."
    tags = tag_item("Restabfall", text, load_taxonomy())
    assert not tags.relevant and "steuern-abgaben" not in tags.topics, tags.relevance_reason


def test_private_persons_named_beside_businesses_do_not_make_a_page_private() -> None:
    text = (
        "Seit dem 1. Januar 2025 müssen bei Umsätzen zwischen inländischen Unternehmen elektronische Rechnungen "
        "verwendet werden. Rechnungen an Privatpersonen sind ausgenommen."
    )
    tags = tag_item("E-Rechnung: To-dos bis 2028", text, load_taxonomy())
    assert tags.relevant, tags.relevance_reason
    private = tag_item("Beförderung", "Mit dem eigenen Auto oder dem Bus: so planen Sie Ihre Reise.", load_taxonomy())
    assert not private.relevant


def test_clubs_in_the_title_are_no_business_but_a_county_as_giver_does_not_count() -> None:
    taxonomy = load_taxonomy()
    clubs = tag_item("Neue Richtlinien für die Vereinsförderung", "Gefördert werden Investitionsmaßnahmen.", taxonomy)
    assert not clubs.relevant, clubs.relevance_reason
    commuters = tag_item(
        "Angebot des Landkreises für Berufspendler",
        "Tschechische Arbeitnehmer dürfen als Pendler einreisen; der Landkreis übernimmt die Hälfte der Testkosten.",
        taxonomy,
    )
    assert commuters.relevant, commuters.relevance_reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Wohngeld, Miet- und Lastenzuschuss", "Die Bewirtschaftung der Wohnung trägt der Mieter."),
        ("Ausstellung eines Führungszeugnisses", "Das Führungszeugnis verlangen viele Arbeitgeber."),
        ("Ausbildungsförderung (BAföG)", "Für den schulischen Teil Ihrer betrieblichen Ausbildung gibt es Förderung."),
        ("Erforderliche Unterlagen zur Kfz-Zulassung", "Firmen legen zusätzlich die Gewerbeanmeldung vor."),
        ("Förderrichtlinie Schulhausbau", "Gefördert werden Investitionen in Schulgebäude."),
        ("Verbraucherschutz", "Verbraucher bewegen sich auf wirtschaftlichen Märkten."),
    ],
)
def test_a_title_naming_a_citizens_service_marks_a_private_page(title: str, text: str) -> None:
    tags = tag_item(title, text, load_taxonomy())
    assert not tags.relevant and tags.sectors == (), tags.relevance_reason
    assert "Leistung für Bürger" in tags.relevance_reason


def test_a_citizens_service_beside_a_business_in_the_title_stays_business_news() -> None:
    tags = tag_item("Führungszeugnis für Gewerbetreibende", "Betriebe beantragen es beim Bundesamt.", load_taxonomy())
    assert tags.relevant, tags.relevance_reason


def test_a_municipal_waste_service_names_no_business() -> None:
    text = "Die Abfallentsorgung regelt der Abfallbetrieb des Landkreises für alle Haushalte."
    assert not tag_item("Abfall und Müll entsorgen", text, load_taxonomy()).relevant


def test_the_ministry_for_science_culture_and_tourism_names_no_sector() -> None:
    title = "Richtlinie des Sächsischen Staatsministeriums für Wissenschaft, Kultur und Tourismus zur Förderung"
    tags = tag_item(title, "Gefördert werden Vorhaben von Unternehmen.", load_taxonomy())
    assert not {"gastgewerbe-tourismus", "kultur-kreativwirtschaft"} & set(tags.sectors), tags.reasons


@pytest.mark.parametrize("title", ["Richtlinie Feuerwehrförderung", "Sächsisches Studentenwerksgesetz"])
def test_fire_brigades_and_student_services_are_no_business(title: str) -> None:
    tags = tag_item(title, "Zuwendungen werden als Zuschuss gewährt.", load_taxonomy())
    assert not tags.relevant, tags.relevance_reason


def test_investment_alone_names_no_business() -> None:
    text = "In der Ferienzeit wird an den Schulen gebaut: Investitionen von 611 Millionen Euro."
    tags = tag_item("Mehr Geld für bessere Lernbedingungen", text, load_taxonomy())
    assert not tags.relevant, tags.relevance_reason


@pytest.mark.parametrize(
    ("title", "sector"),
    [
        ("Gesetz zur Neuregelung des Sächsischen Ingenieur- und Architektenrechts", "soloselbststaendige-freie-berufe"),
        ("Verordnung über Öffentlich bestellte Vermessungsingenieure", "soloselbststaendige-freie-berufe"),
        ("Sächsisches Heilberufekammergesetz", "gesundheit-soziales"),
        ("Vermittlerregister: Änderungen mitteilen", "dienstleistungen"),
        ("Erlaubnis für Finanzanlagenvermittler", "dienstleistungen"),
    ],
)
def test_chambered_professions_and_licensed_intermediaries_have_their_sector(title: str, sector: str) -> None:
    """The liberal professions with chambers of their own and the intermediaries of §§ 34d–34i GewO (eleventh dev
    set, 2026-11)."""
    tags = tag_item(title, "Die Regelung gilt ab dem 1. Januar.", load_taxonomy())
    assert tags.relevant and sector in tags.sectors, (tags.sectors, tags.relevance_reason)


@pytest.mark.parametrize("title", ["Sportförderrichtlinie 2027", "Sächsisches Kulturraumgesetz"])
def test_sport_funding_and_the_cultural_regions_address_clubs_and_public_bodies(title: str) -> None:
    tags = tag_item(title, "Zuwendungen werden als Zuschüsse gewährt.", load_taxonomy())
    assert not tags.relevant and "Titel nennt als Adressaten" in tags.relevance_reason


def test_architects_named_in_passing_make_no_liberal_profession_news() -> None:
    """A building permit's page names who may draw the plans; the professions' own laws and chambers are theirs."""
    text = ("Für die Errichtung baulicher Anlagen können Sie einen Antrag auf Baugenehmigung stellen. Die Unterlagen "
            "müssen durch einen Bauvorlageberechtigten erstellt sein: Architekten oder Ingenieure der Fachrichtungen "
            "Architektur, Hochbau und Bauingenieurwesen.")  # fmt: skip
    tags = tag_item("Baugenehmigung beantragen", text, load_taxonomy())
    assert "soloselbststaendige-freie-berufe" not in tags.sectors


def test_a_firm_that_trains_is_a_business() -> None:
    text = ("Beabsichtigt eine Ausbildungsstätte erstmalig auszubilden, ist vor Abschluss eines "
            "Berufsausbildungsvertrages eine Eignungsfeststellung zu beantragen. ") * 12  # fmt: skip
    tags = tag_item("Eignungsfeststellung", text, load_taxonomy())
    assert tags.relevant and "ausbildung-fachkraefte" in tags.topics, tags.relevance_reason


@pytest.mark.parametrize(
    ("title", "text", "sector"),
    [
        (
            "Sächsische Bergverordnung",
            "Diese Verordnung gilt für Tätigkeiten und Einrichtungen, die der Bergaufsicht "
            "nach dem Bundesberggesetz unterliegen.",
            "industrie",
        ),
        (
            "VwV AbschleppPol",
            "Auswahl und Heranziehung von Berge- und Abschleppunternehmen durch die Polizei.",
            "verkehr-logistik",
        ),
        (
            "Neue Regeln für Versicherungsunternehmen",
            "Die Versicherungswirtschaft muss Schäden schneller regulieren.",
            "dienstleistungen",
        ),
    ],
)
def test_regulated_industries_of_the_twelfth_set(title: str, text: str, sector: str) -> None:
    assert sector in tag_item(title, text, load_taxonomy()).sectors


def test_the_verb_handeln_is_no_trade() -> None:
    """ "Es handele sich um eine Vorsichtsmaßnahme": the subjunctive of "handeln" shares the stem of "Handel"."""
    text = "Die Messe fällt aus. Es handele sich um eine Vorsichtsmaßnahme, teilte die Messegesellschaft mit."
    tags = tag_item("Messe abgesagt", text, load_taxonomy())
    assert tags.relevant and "handel" not in tags.sectors, tags.reasons


def test_a_household_insurance_and_foster_care_are_no_trade() -> None:
    """ "Versicherung" alone is every household's (liability, unemployment insurance), "Pflegekind" a family's."""
    parents = tag_item("Aufsichtspflicht, Haftung, Versicherung",
                       "Eltern haften für ihre Kinder. Eine private Haftpflichtversicherung und die Versicherung "
                       "des Pflegekindes schützen vor hohen Kosten.", load_taxonomy())  # fmt: skip
    assert "dienstleistungen" not in parents.sectors and "gesundheit-soziales" not in parents.sectors
    assert not parents.relevant, parents.relevance_reason
