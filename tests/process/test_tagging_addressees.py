"""Who a text addresses decides sectors and relevance: addressee sentences, enumerations among recipients,
pages for private persons, titles naming public bodies."""

from __future__ import annotations

import pytest

from process.tagging import tag_item
from process.taxonomy import load_taxonomy


def test_sector_named_in_an_addressee_sentence_is_tagged() -> None:
    addressed = tag_item("Neues Programm", "Soloselbstständige und Freiberufler können ab sofort Anträge stellen.",
                         load_taxonomy())  # fmt: skip
    assert "Adressaten" in addressed.reasons["sectors"]["soloselbststaendige-freie-berufe"]
    passing = tag_item("Neues Programm", "Der Verband vertritt auch Soloselbstständige und Freiberufler.",
                       load_taxonomy())  # fmt: skip
    assert "soloselbststaendige-freie-berufe" not in passing.sectors


def test_a_teaser_names_its_addressee_once_a_long_text_in_passing() -> None:
    teaser = "Die Stadt erschließt Flächen für Unternehmen aus Industrie und Handwerk. Betriebe melden sich hier."
    tagged = tag_item("Neue Gewerbeflächen", teaser, load_taxonomy())
    assert set(tagged.sectors) == {"industrie", "handwerk"}
    assert "Adressaten: „Industrie“" in tagged.reasons["sectors"]["industrie"]
    # the same sentence in a text longer than the lead is one mention among many: no sector of its own
    long_text = teaser + " " + "Die Wirtschaftsförderung informiert über Grundstücke, Preise und Fristen. " * 12
    assert len(long_text) > load_taxonomy().lead_chars
    assert set(tag_item("Neue Gewerbeflächen", long_text, load_taxonomy()).sectors) == {"alle-branchen"}


def test_unqualified_businesses_among_addressees_keep_alle_branchen() -> None:
    tags = tag_item(
        "Überbrückungshilfe – Anträge ab sofort möglich",
        "Unternehmen, Soloselbstständige und Freiberufler mit Umsatzeinbrüchen können ab sofort Anträge stellen.",
        load_taxonomy(),
    )
    assert {"alle-branchen", "soloselbststaendige-freie-berufe"} <= set(tags.sectors)


def test_enumeration_among_recipients_means_alle_branchen() -> None:
    text = (
        "1. Zuwendungszweck Die Förderung stärkt die Wirtschaft. 3. Zuwendungsempfänger sind kleine und mittlere "
        "Unternehmen der gewerblichen Wirtschaft, des Handwerks, des Handels, der Dienstleister sowie Freiberufler."
    )
    tags = tag_item("Richtlinie Krisenhilfe", text, load_taxonomy())
    assert tags.sectors == ("alle-branchen",)
    assert "zählen viele Branchen auf" in tags.reasons["sectors"]["alle-branchen"]


def test_page_for_private_persons_is_not_relevant() -> None:
    tags = tag_item(
        "Handwerkerleistungen: Steuerbonus und Rechnungen",
        "Renovierungsmaßnahmen im Privathaushalt können Sie teilweise von der Steuer absetzen.",
        load_taxonomy(),
    )
    assert not tags.relevant and tags.sectors == ()
    assert "Privatpersonen" in tags.relevance_reason


def test_a_private_persons_term_does_not_outweigh_businesses_named_in_the_title() -> None:
    """ "Steuerbonus" marks a household's page — unless the title names businesses: then it is their tax break."""
    tags = tag_item("Hotels und Gaststätten fürchten um ihren Steuerbonus",
                    "Der ermäßigte Steuersatz für Speisen in der Gastronomie läuft zum Jahresende aus.",
                    load_taxonomy())  # fmt: skip
    assert tags.relevant and "gastgewerbe-tourismus" in tags.sectors and "steuern-abgaben" in tags.topics


def test_the_running_of_a_school_or_kita_is_no_business() -> None:
    """ "Betrieb" is a business part, but not in "Schulbetrieb", "Regelbetrieb" or "Notbetrieb", nor in a
    municipality's own enterprises ("Abfallwirtschaftsbetrieb", "Eigenbetrieb")."""
    text = "Der Schulbetrieb beginnt um acht Uhr; die Horte bleiben im Notbetrieb."
    tags = tag_item("Schulen wieder im Regelbetrieb", text, load_taxonomy())
    assert not tags.relevant, tags.relevance_reason
    waste = tag_item("Wertstoffhöfe öffnen wieder", "Der Abfallwirtschaftsbetrieb des Kreises nimmt wieder "
                     "Grünschnitt an; der städtische Bauhof holt Sperrmüll ab.", load_taxonomy())  # fmt: skip
    assert not waste.relevant, waste.relevance_reason


def test_rules_for_citizens_only_are_not_business_news() -> None:
    """Rules are a business topic only when the text regulates businesses somewhere — a curfew is not; a
    regulation that closes shops further down is (its lead need not say so)."""
    citizens = tag_item("Ausgangsbeschränkungen ab Samstag",
                        "Die Allgemeinverfügung regelt, dass die Wohnung nur aus triftigem Grund verlassen werden "
                        "darf. Spaziergänge mit Angehörigen des eigenen Hausstands bleiben erlaubt.",
                        load_taxonomy())  # fmt: skip
    assert not citizens.relevant and "kein Unternehmensbezug" in citizens.relevance_reason
    body = "Die Allgemeinverfügung regelt die Kontakte. " + "Weitere Bestimmungen folgen. " * 60
    shops = tag_item("Allgemeinverfügung zum Infektionsschutz", body + "Ladengeschäfte und Betriebe schließen.",
                     load_taxonomy())  # fmt: skip
    assert shops.relevant and "recht-verordnungen" in shops.topics and "„Betriebe“" in shops.relevance_reason
    rentals = tag_item("Hinweise zu den Länderverordnungen",
                       "Die Verordnungen ändern sich schnell. Solange sie gelten, bleiben touristische Vermietungen "
                       "verboten; ein Verstoß kann ein Bußgeld nach sich ziehen.", load_taxonomy())  # fmt: skip
    assert rentals.relevant, rentals.relevance_reason  # a trade named, not a business word


def test_a_whole_page_on_taxes_or_grants_that_never_names_a_business_is_not_business_news() -> None:
    """Taxes, grants, advice and training concern citizens, clubs and public bodies as much as firms: a page longer
    than the lead that names no business anywhere is not business news; a teaser's few words prove nothing, and a
    long page naming firms further down stays relevant."""
    filler = "Die Einzelheiten regelt die Satzung der Gemeinde. " * 20
    citizens = tag_item("Grundsteuer: Hebesatz und Fälligkeit",
                        "Die Grundsteuer wird vierteljährlich fällig. " + filler, load_taxonomy())  # fmt: skip
    assert not citizens.relevant and "im ganzen Text kein Unternehmensbezug" in citizens.relevance_reason
    sport = tag_item("Sportstättenförderung 2027", "Zuschüsse für Sportplätze und Turnhallen. " + filler,
                     load_taxonomy())  # fmt: skip
    assert not sport.relevant
    teaser = tag_item("Soforthilfe: Anträge ab Montag", "Die Zuschüsse werden schnell ausgezahlt.", load_taxonomy())
    assert teaser.relevant and "soforthilfen-zuschuesse" in teaser.topics
    firms = tag_item("Grundsteuer: Hebesatz und Fälligkeit",
                     "Die Grundsteuer wird vierteljährlich fällig. " + filler + "Für Betriebe gilt dasselbe.",
                     load_taxonomy())  # fmt: skip
    assert firms.relevant and "„Betriebe“" in firms.relevance_reason


def test_title_naming_public_bodies_is_not_relevant_unless_it_names_businesses() -> None:
    public = tag_item("Gesetz über das Kommunale Klimabudget", "Die Landkreise erhalten Zuweisungen für Investitionen.",
                      load_taxonomy())  # fmt: skip
    assert not public.relevant
    both = tag_item("Förderung für Kommunen und Unternehmen", "Investitionen werden gefördert.", load_taxonomy())
    assert both.relevant


def test_founders_of_a_named_sector_belong_to_it() -> None:
    farm = tag_item("Förderrichtlinie Existenzgründung in der Landwirtschaft",
                    "Gefördert wird die Existenzgründung junger Landwirte und landwirtschaftlicher Betriebe.",
                    load_taxonomy())  # fmt: skip
    assert "landwirtschaft" in farm.sectors and "soloselbststaendige-freie-berufe" not in farm.sectors
    general = tag_item("Gründungsberatung", "Existenzgründer können eine geförderte Gründungsberatung beantragen.",
                       load_taxonomy())  # fmt: skip
    assert "soloselbststaendige-freie-berufe" in general.sectors


def test_a_page_that_speaks_to_employees_is_not_business_news() -> None:
    """The employment topic is the employee's where the page addresses its reader as one ("Ihr Arbeitgeber");
    the same subject addressed to employers, or an employer's crisis in the title, stays business news."""
    taxonomy = load_taxonomy()
    employee = tag_item("Arbeitslosenversicherung", "Für die Dauer Ihres Arbeitsverhältnisses zahlen Sie und Ihr "
                        "Arbeitgeber anteilig Beiträge zur Arbeitslosenversicherung.", taxonomy)  # fmt: skip
    assert not employee.relevant and employee.sectors == () and employee.topics == ()
    assert "richtet sich an Beschäftigte („Ihr Arbeitgeber“" in employee.relevance_reason
    employer = tag_item("Arbeitslosenversicherung", "Als Arbeitgeber zahlen Sie für Ihre Beschäftigten anteilig "
                        "Beiträge zur Arbeitslosenversicherung; Ihr Arbeitgeberkonto führt die Krankenkasse.",
                        taxonomy)  # fmt: skip
    assert employer.relevant and "kurzarbeit-beschaeftigte" in employer.topics
    crisis = tag_item("Arbeitnehmer-Rechte bei Insolvenz", "Im Insolvenzverfahren sind Sie als Arbeitnehmer "
                      "Gläubiger Ihres zahlungsunfähigen Arbeitgebers.", taxonomy)  # fmt: skip
    assert crisis.relevant, crisis.relevance_reason


@pytest.mark.parametrize(
    "sentence",
    [
        "Wird Ihr Beschäftigungsverhältnis gekündigt, gelten Fristen.",
        "In Ihrem Beschäftigungsverhältnis gelten Fristen.",
        "Bei Auflösung Ihres Beschäftigungsverhältnisses gelten Fristen.",
        "Ihr Urlaub richtet sich nach dem Gesetz.",
        "Ihren Urlaub können Sie nachholen.",
        "Ihren Resturlaub können Sie im nächsten Jahr nehmen.",
        "Ihr Arbeitsplatz muss sicher sein.",
        "Ihren Arbeitsplatz darf man Ihnen nicht nehmen.",
        "An Ihrem Arbeitsplatz gelten Regeln.",
        "Für die Sicherheit Ihres Arbeitsplatzes gibt es Regeln.",
        "Ihr Arbeitsort bestimmt die zuständige Stelle.",
        "Je nach Lage Ihres Arbeitsortes ist eine andere Stelle zuständig.",
        "Ihr Gehalt wird weitergezahlt.",
        "Ihr Lohn wird weitergezahlt.",
        "Ihren Lohn zahlt die Kasse weiter.",
        "Von Ihrem Lohn wird nichts abgezogen.",
        "Von Ihrem Bruttolohn wird ein Beitrag abgezogen.",
        "Ihr Anspruch auf Arbeitslosengeld kann ruhen.",
        "Ihren Anspruch auf Arbeitslosengeld prüft die Agentur.",
    ],
)
def test_a_page_on_the_readers_own_job_holidays_or_pay_speaks_to_an_employee(sentence: str) -> None:
    """Amt24's pages on holidays, dismissal or unemployment benefit address their reader as an employee ("Ihr
    Beschäftigungsverhältnis", "Ihren Resturlaub", "Ihr Lohn"): the employment topic they name is no business news."""
    tags = tag_item("Kündigungsschutz", sentence + " Arbeitnehmer haben Rechte.", load_taxonomy())
    assert not tags.relevant and "richtet sich an Beschäftigte" in tags.relevance_reason, tags.relevance_reason
    employer = tag_item("Kündigungsschutz", "Arbeitnehmer haben Rechte.", load_taxonomy())
    assert employer.relevant, employer.relevance_reason


def test_the_adjective_wirtschaftlich_in_a_title_is_no_sign_of_businesses_in_general() -> None:
    """ "Armut und wirtschaftliche Not": by stem the adjective is the noun "Wirtschaft"; only the noun in the title
    makes a text one for businesses in general."""
    taxonomy = load_taxonomy()
    poor = tag_item("Armut und wirtschaftliche Not", "Beratung zu Sozialleistungen und Schulden.", taxonomy)
    assert "alle-branchen" not in poor.sectors and not poor.relevant, poor.relevance_reason
    economy = tag_item("Hilfen für die Wirtschaft", "Beratung zu Hilfen und Krediten.", taxonomy)
    assert economy.sectors == ("alle-branchen",)
    assert "Titel: „Wirtschaft“" in economy.reasons["sectors"]["alle-branchen"]


def test_a_page_for_a_banks_customers_or_a_doctors_patients_is_private() -> None:
    banking = tag_item("Banken und Zahlungsverkehr", "Banken und Sparkassen führen Ihr Girokonto und beraten über "
                       "Anlageformen und Kredite.", load_taxonomy())  # fmt: skip
    assert not banking.relevant and "Privatpersonen" in banking.relevance_reason


def test_a_patients_page_and_a_participle_of_betreiben_name_no_business() -> None:
    """ "… sollten Sie sich gut überlegen, welchen Arzt Sie als Ihren Hausarzt wählen": a page for patients; "vom
    Landkreis betriebene Wertstoffhöfe" are run by the county, the participle names no business."""
    taxonomy = load_taxonomy()
    patients = tag_item("Ambulante Versorgung", "Jeder Patient hat das Recht, einen Arzt seines Vertrauens "
                        "aufzusuchen; überlegen Sie gut, wen Sie als Ihren Hausarzt wählen.", taxonomy)  # fmt: skip
    assert not patients.relevant and "Privatpersonen" in patients.relevance_reason
    run = tag_item("Wertstoffhöfe wieder geöffnet", "Die vom Landkreis betriebene Sammelstelle öffnet freitags.",
                   taxonomy)  # fmt: skip
    assert not run.relevant, run.relevance_reason


def test_a_ministry_named_after_consumer_protection_is_no_citizen_service() -> None:
    """ "Programm des Staatsministeriums für Soziales und Verbraucherschutz und der Tierseuchenkasse" is for
    livestock farms: the ministry's name is masked like every ministry's, only a title about consumer protection
    itself marks a page for citizens."""
    taxonomy = load_taxonomy()
    title = (
        "Programm des Sächsischen Staatsministeriums für Soziales und Verbraucherschutz und der Sächsischen "
        "Tierseuchenkasse zur Bekämpfung der Salmonellose bei Rindern"
    )
    farms = tag_item(title, "Die Salmonellose ist für den Landwirtschaftsbetrieb eine erhebliche Störung.", taxonomy)
    assert farms.relevant and farms.sectors == ("landwirtschaft",), farms.relevance_reason
    citizens = tag_item("Verbraucherschutz beim Online-Kauf", "Was tun, wenn die Ware nicht ankommt?", taxonomy)
    assert not citizens.relevant


def test_the_adjective_wirtschaftlich_and_public_water_management_name_no_business() -> None:
    """ "wirtschaftlich und sparsam", "Siedlungswasserwirtschaft", "Geldwirtschaft": words with "wirtschaft" that
    name no business — a grant for flood defences of water associations is not business news."""
    taxonomy = load_taxonomy()
    body = "Der Freistaat gewährt Zuwendungen für Maßnahmen an Gewässern und Deichen. " * 12
    for passage in (
        "Die Mittel sind wirtschaftlich und sparsam zu verwenden.",
        "Gefördert wird die Siedlungswasserwirtschaft.",
        "Die Geldwirtschaft des Fonds regelt § 4.",
    ):
        tags = tag_item("Förderrichtlinie Gewässer", passage + " " + body, taxonomy)
        assert not tags.relevant, (passage, tags.relevance_reason)
    firms = tag_item("Förderrichtlinie Gewässer", "Gefördert werden Unternehmen. " + body, taxonomy)
    assert firms.relevant, firms.relevance_reason


def test_a_trade_deep_in_a_long_rule_does_not_make_it_business_news() -> None:
    """Rules alone are business news where the text names firms anywhere, or a trade in its title or lead: deep
    in a long ordinance a trade is named in passing (a hairdresser among a school's afternoon courses)."""
    taxonomy = load_taxonomy()
    body = "Die Verordnung regelt die Zuweisungen an Schulträger für Ganztagsangebote. " * 12
    deep = tag_item("Sächsische Ganztagsangebotsverordnung", body + "Auch Friseure können Kurse anbieten.",
                    taxonomy)  # fmt: skip
    assert len(body) > taxonomy.lead_chars and not deep.relevant, deep.relevance_reason
    top = tag_item("Sächsische Ganztagsangebotsverordnung", "Die Verordnung gilt auch für Friseure. " + body,
                   taxonomy)  # fmt: skip
    assert top.relevant and "Friseure" in top.relevance_reason, top.relevance_reason
    firms = tag_item("Sächsische Ganztagsangebotsverordnung", body + "Beteiligte Unternehmen melden sich.", taxonomy)
    assert firms.relevant, firms.relevance_reason


def test_the_name_of_the_federal_agrarian_programme_is_no_sign_of_farming() -> None:
    """Regulations cite the Gemeinschaftsaufgabe „Verbesserung der Agrarstruktur und des Küstenschutzes“ as
    their legal basis whether they fund farms, dykes or village sewers."""
    taxonomy = load_taxonomy()
    cited = "Für Projekte aus Mitteln der Gemeinschaftsaufgabe „Verbesserung der Agrarstruktur und des Küstenschutzes“ "
    tags = tag_item("Förderrichtlinie Hochwasserschutz", cited + "gelten die Regeln des Rahmenplans.", taxonomy)
    assert "landwirtschaft" not in tags.sectors
    assert "agrarstruktur" not in tags.relevance_reason.lower(), tags.relevance_reason


def test_lower_case_unternehmen_and_betrieben_are_verbs_in_a_text_with_capitalised_nouns() -> None:
    """ "alles zu unternehmen, um …", "die Anlage wird von der Stadt betrieben": the verbs, written in lower case,
    name no business; the nouns ("Unternehmen können …", "in den Betrieben") do. A text written all in lower case
    says nothing by its case: there the word counts as before."""
    taxonomy = load_taxonomy()
    verb = tag_item("Sichere Schulwege", "Die Stadt ruft dazu auf, alles zu unternehmen, damit Wege sicher sind.",
                    taxonomy)  # fmt: skip
    assert not verb.relevant, verb.relevance_reason
    run = tag_item("Neue Badestelle", "Die Badestelle wird seit Mai von der Stadt betrieben.", taxonomy)
    assert not run.relevant, run.relevance_reason
    nouns = tag_item("Sichere Schulwege", "Die Stadt ruft Unternehmen auf, in den Betrieben zu helfen.", taxonomy)
    assert nouns.relevant, nouns.relevance_reason
    lower = tag_item("hilfe", "jetzt können unternehmen anträge stellen, sagt die stadt.", taxonomy)
    assert lower.relevant, lower.relevance_reason
    # each field by its own case: a feed's lower-case title keeps its noun above a text written as usual
    title = tag_item("neue hilfen für unternehmen", "Die Stadt informiert am Montag im Rathaus.", taxonomy)
    assert title.relevant, title.relevance_reason
    # the verb's blanks keep every position: a deadline and a town after it are still found where they are
    later = tag_item("Sichere Schulwege", "Die Stadt will viel unternehmen. Anträge bis zum 30.06.2021 in Döbeln.",
                     taxonomy)  # fmt: skip
    assert later.expires_at is not None and later.towns == ("Döbeln",)


def test_compensation_of_volunteers_witnesses_and_victims_is_no_business_topic() -> None:
    """Entschädigung is business news when a firm is compensated (§ 56 IfSG, closures); a council member's
    allowance, a volunteer examiner's or a witness's compensation and the victims' compensation laws are not."""
    taxonomy = load_taxonomy()
    for title, text in (
        ("Entschädigung für ehrenamtliche Prüfer", "Die Prüfer bestellt das Landesamt für Schule."),
        ("Entschädigung der ehrenamtlichen Helfer", "Helfer im Katastrophenschutz erhalten sie auf Antrag."),
        ("Aufwandsentschädigung für Gemeinderäte", "Die Mitglieder erhalten sie nach der Satzung."),
        ("Ehrenamtsentschädigung", "Die Wahlhelfer erhalten sie am Wahltag."),
        ("Entschädigung von ehrenamtlichen Richtern", "Schöffen erhalten sie für jeden Sitzungstag."),
        ("Entschädigung von Zeugen", "Sie richtet sich nach dem Gesetz über die Vergütung."),
        ("Die Entschädigung der Zeugen", "Sie richtet sich nach dem Gesetz über die Vergütung."),
        ("Justizvergütungs- und -entschädigungsgesetz", "Es regelt, was Sachverständige erhalten."),
        ("Zeugenentschädigung", "Die Geschäftsstelle des Gerichts zahlt sie aus."),
        ("Opferentschädigung", "Leistungen nach dem Gesetz werden auf Antrag gewährt."),
        ("Bundesentschädigungsgesetz", "Anträge bearbeitet das Landesamt."),
        ("Haftentschädigung", "Sie wird auf Antrag gezahlt."),
    ):
        tags = tag_item(title, text, taxonomy)
        assert "entschaedigung" not in tags.topics and not tags.relevant, (text, tags.relevance_reason)
    firms = tag_item("Entschädigung bei Quarantäne", "Arbeitgeber erhalten eine Entschädigung für den "
                     "Verdienstausfall ihrer Beschäftigten.", taxonomy)  # fmt: skip
    assert "entschaedigung" in firms.topics and firms.relevant


@pytest.mark.parametrize(
    "sentence",
    [
        "Die Schule pflegt die Kammermusik.",
        "Der Kammerchor der Schule probt donnerstags.",
        "Das Kammerorchester gibt ein Konzert.",
        "Zum Kammerkonzert lädt die Musikschule ein.",
        "Die Rechner laufen mit einem freien Betriebssystem.",
        "Die Einnahmen des Zweckbetriebes sind steuerfrei.",
        "Die Stiftung legt ihre Wirtschaftsführung offen.",
        "Abschlüsse aus dem Europäischen Wirtschaftsraum werden anerkannt.",
    ],
)
def test_words_that_hold_a_business_part_but_name_no_business(sentence: str) -> None:
    """ "Kammermusik" holds "Kammer", "Betriebssystem" and "Zweckbetrieb" hold "Betrieb", "Wirtschaftsführung" and
    "Europäischer Wirtschaftsraum" hold "Wirtschaft" — none of them names a business as the addressee."""
    tags = tag_item("Mitteilung der Schule", sentence + " Auskunft gibt das Sekretariat.", load_taxonomy())
    assert not tags.relevant, tags.relevance_reason
