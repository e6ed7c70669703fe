"""What the public output is organised by: the topic sections, the sector pages, the towns, their URL slugs.

Slugs are the tagging slugs stored on items (``items.topics`` / ``items.sectors``); labels are the office's
wording. The town list is the catalog's (the tagging issue moves both into one taxonomy file).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sources.catalog import TOWNS


@dataclass(frozen=True, slots=True)
class Facet:
    """One filter value: a topic section, a sector page or a town, with its URL slug."""

    kind: str  # topic | sector | town
    key: str  # the value stored on items
    slug: str
    label: str


TOPICS: tuple[Facet, ...] = tuple(
    Facet("topic", key, key, label)
    for key, label in (
        ("kontakte-hotlines", "Kontakte & Hotlines"),
        ("soforthilfen-zuschuesse", "Soforthilfen & Zuschüsse"),
        ("kredite-buergschaften", "Kredite & Bürgschaften"),
        ("kurzarbeit-beschaeftigte", "Kurzarbeit & Beschäftigte"),
        ("steuern-abgaben", "Steuern & Abgaben"),
        ("entschaedigung", "Entschädigung"),
        ("recht-verordnungen", "Recht & Verordnungen"),
        ("einreise-pendler", "Einreise & Pendler"),
        ("ausbildung-fachkraefte", "Ausbildung & Fachkräfte"),
        ("veranstaltungen-beratung", "Veranstaltungen & Beratung"),
    )
)
# items without any of the topics above are not lost: they land here
OTHER_TOPIC = Facet("topic", "", "weitere", "Weitere Meldungen")

SECTORS: tuple[Facet, ...] = tuple(
    Facet("sector", key, key, label)
    for key, label in (
        ("landwirtschaft", "Landwirtschaft"),
        ("gastgewerbe-tourismus", "Tourismus & Gastgewerbe"),
        ("handel", "Handel/Kauf regional"),
        ("handwerk", "Handwerk"),
        ("industrie", "Industrie"),
    )
)
# an item for every sector appears on every sector page
ALL_SECTORS_KEY = "alle-branchen"
# "Kauf regional" is a topic in the tagging, but the office keeps it on the Handel page
EXTRA_SECTOR_TOPICS = {"handel": "kauf-regional"}

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def slugify(text: str) -> str:
    """A stable ASCII slug: ``Frankenberg/Sa.`` → ``frankenberg-sa``, ``Roßwein`` → ``rosswein``."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_UMLAUTS)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


TOWN_FACETS: tuple[Facet, ...] = tuple(Facet("town", town, slugify(town), town) for town in TOWNS)


def in_sector(sector: Facet, sectors: tuple[str, ...], topics: tuple[str, ...]) -> bool:
    extra = EXTRA_SECTOR_TOPICS.get(sector.key)
    return sector.key in sectors or ALL_SECTORS_KEY in sectors or (extra is not None and extra in topics)


def in_town(town: Facet, towns: tuple[str, ...]) -> bool:
    """County-wide items (no town) belong to every town, plus the town's own."""
    return not towns or town.key in towns
