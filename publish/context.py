"""The render contexts: pure functions from approved items to one typed, frozen context per page and feed.

No I/O, no clock (``now`` comes in), no templates: ``publish/render.py`` turns these into files. Cards are built
once per item and referenced by id from every page, so 10,000 items cost 10,000 card renders, not one per page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice
from zoneinfo import ZoneInfo

from process.contacts import Contact as StoredContact
from publish.staff_content import StaffContent, TownBlock, town_blocks
from publish.taxonomy import OTHER_TOPIC, SECTORS, TOPICS, TOWN_FACETS, Facet, in_sector, in_town
from store.publish_repo import ApprovedItem, SourceLink

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True, slots=True)
class Contact:
    hotline: str
    email: str
    chat: str
    messenger: str


@dataclass(frozen=True, slots=True)
class PublishConfig:
    """The settings that shape the output (part of the render-input hash)."""

    base_url: str  # absolute, ends with "/"
    title: str
    contact: Contact
    feed_items: int
    widget_items: int
    section_items: int
    staff: StaffContent = field(default_factory=StaffContent)  # issue 8: stored contacts, towns' offers


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    title: str
    url: str | None
    summary_html: str  # allowlist-cleaned at harvest; marked safe by the renderer only
    date_iso: str
    date_label: str
    sources: tuple[SourceLink, ...]
    sectors: tuple[str, ...]
    towns: tuple[str, ...]
    expires_label: str | None
    updated_iso: str
    home_path: str  # root-relative page that always lists the item in full (its first topic page)


@dataclass(frozen=True, slots=True)
class NavLink:
    href: str  # relative to the site root
    label: str
    sub: tuple[NavLink, ...] = ()  # links shown under this one (Handel: the Kauf-regional directory)


# the Kauf-regional directory (issue 7): in every release under kauf-regional/, linked from the Handel filter
DIRECTORY_LINK = NavLink("kauf-regional/index.html", "Verzeichnis Kauf regional: Geschäfte und Höfe")
DIRECTORY_SECTOR = "handel"


@dataclass(frozen=True, slots=True)
class Section:
    slug: str
    title: str
    card_ids: tuple[int, ...]
    total: int
    more_href: str | None  # root-relative link to the full list when cut


@dataclass(frozen=True, slots=True)
class Common:
    site_title: str
    stand_label: str
    stand_iso: str
    contact: Contact
    sectors: tuple[NavLink, ...]
    towns: tuple[NavLink, ...]
    topics: tuple[NavLink, ...]
    contact_lines: tuple[StoredContact, ...] = ()  # issue 8: staff-edited block (replaces ``contact``)
    important: tuple[StoredContact, ...] = ()  # issue 8: "Wichtige Kontakte"


@dataclass(frozen=True, slots=True)
class FeedRef:
    slug: str
    title: str
    kind: str  # all | sector | topic | town


@dataclass(frozen=True, slots=True)
class ListPage:
    path: str
    title: str
    intro: str
    sections: tuple[Section, ...]
    feed: FeedRef | None
    widget_path: str | None
    current: str  # root-relative path of the active filter, for aria-current
    empty_text: str = "Zurzeit keine Meldungen."
    municipal: tuple[TownBlock, ...] = ()  # issue 8: "Angebote der Kommunen" (index: all towns; town page: its own)
    related: tuple[NavLink, ...] = ()  # pages the intro points to (Handel: directory; town: its sector pages)
    related_title: str = ""  # heading of those links, if any
    related_label: str = ""  # how other pages link to this one in their ``related``


@dataclass(frozen=True, slots=True)
class FeedSpec:
    ref: FeedRef
    description: str
    page_path: str  # root-relative page the feed mirrors
    card_ids: tuple[int, ...]  # newest first


@dataclass(frozen=True, slots=True)
class WidgetPage:
    path: str
    title: str
    card_ids: tuple[int, ...]
    page_path: str  # the full page on the county's site


@dataclass(frozen=True, slots=True)
class EmbedTown:
    label: str
    page_path: str
    feed_slug: str
    widget_path: str


@dataclass(frozen=True, slots=True)
class Site:
    """Everything one release contains, before rendering."""

    config: PublishConfig
    common: Common
    cards: dict[int, Card]
    lists: tuple[ListPage, ...]
    feeds: tuple[FeedSpec, ...]
    widgets: tuple[WidgetPage, ...]
    embed_towns: tuple[EmbedTown, ...]
    archive_count: int
    active_count: int


def story_sources(item: ApprovedItem) -> tuple[SourceLink, ...]:
    """Every publisher of the story the item stands for: ``store.publish_repo.collapse_stories`` has merged the
    approved members' provenance (deduplicated, the shown item's first) into ``item.sources``."""
    return item.sources


def own_town(town: Facet, item: ApprovedItem) -> bool:
    """The story is this town's own: the shown item or any approved member is tagged with the town. The card
    keeps the shown item's towns — a town's copy of a county text lists it on the town page, nothing more."""
    return town.key in (item.listed_towns or item.towns)


def town_feed(town: Facet, item: ApprovedItem) -> bool:
    """Town feeds and widgets: county-wide stories (shown item without town) plus the town's own."""
    return in_town(town, item.towns) or own_town(town, item)


def german_date(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y")


def german_stamp(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


def item_date(item: ApprovedItem) -> datetime:
    return item.published_at or item.first_seen_at


def make_card(item: ApprovedItem) -> Card:
    moment = item_date(item)
    return Card(
        id=item.id,
        title=item.title,
        url=item.url,
        summary_html=item.summary_html,
        date_iso=moment.isoformat(),
        date_label=german_date(moment),
        sources=story_sources(item),
        sectors=tuple(f.label for f in SECTORS if in_sector(f, item.sectors, item.topics)),
        towns=item.towns,
        expires_label=german_date(item.expires_at) if item.expires_at else None,
        updated_iso=item.updated_at.isoformat(),
        home_path=f"thema/{_first_topic(item).slug}.html",
    )


def _first_topic(item: ApprovedItem) -> Facet:
    return next((facet for facet in TOPICS if facet.key in item.topics), OTHER_TOPIC)


def split_expired(items: Iterable[ApprovedItem], now: datetime) -> tuple[list[ApprovedItem], list[ApprovedItem]]:
    """(active, expired), each pinned first, then newest first."""
    active: list[ApprovedItem] = []
    expired: list[ApprovedItem] = []
    for item in items:
        (expired if item.expires_at is not None and item.expires_at <= now else active).append(item)
    key: Callable[[ApprovedItem], tuple[bool, datetime, int]] = lambda i: (i.pinned, item_date(i), i.id)  # noqa: E731
    return sorted(active, key=key, reverse=True), sorted(expired, key=key, reverse=True)


def by_topic(
    items: Sequence[ApprovedItem], limit: int | None, more: Callable[[Facet], str] | None
) -> tuple[Section, ...]:
    """Topic sections in the office's order (an item with two topics appears in both), then "Weitere"."""
    sections = []
    for facet in (*TOPICS, OTHER_TOPIC):
        ids = [item.id for item in items if _has_topic(item, facet)]
        if not ids:
            continue
        cut = limit is not None and len(ids) > limit
        shown = ids[:limit] if cut else ids
        sections.append(Section(facet.slug, facet.label, tuple(shown), len(ids), more(facet) if cut and more else None))
    return tuple(sections)


_TOPIC_KEYS = frozenset(facet.key for facet in TOPICS)


def _has_topic(item: ApprovedItem, facet: Facet) -> bool:
    if facet is OTHER_TOPIC:
        return not _TOPIC_KEYS.intersection(item.topics)
    return facet.key in item.topics


def build_site(items: Sequence[ApprovedItem], config: PublishConfig, now: datetime) -> Site:
    """The whole release as contexts: pages, feeds, widgets."""
    active, expired = split_expired(items, now)
    common = _common(config, now)
    lists = _list_pages(active, expired, config)
    feeds = _feeds(active, config)
    widgets = _widgets(active, config)
    embed = tuple(
        EmbedTown(f.label, f"ort/{f.slug}.html", f"ort-{f.slug}", f"widget/ort/{f.slug}.html") for f in TOWN_FACETS
    )
    cards = {item.id: make_card(item) for item in (*active, *expired)}
    return Site(config, common, cards, lists, feeds, widgets, embed, len(expired), len(active))


def _common(config: PublishConfig, now: datetime) -> Common:
    return Common(
        site_title=config.title,
        stand_label=german_stamp(now),
        stand_iso=now.isoformat(),
        contact=config.contact,
        sectors=tuple(NavLink(f"branche/{f.slug}.html", f.label, _sector_sub(f)) for f in SECTORS),
        towns=tuple(NavLink(f"ort/{f.slug}.html", f.label) for f in TOWN_FACETS),
        topics=tuple(NavLink(f"thema/{f.slug}.html", f.label) for f in (*TOPICS, OTHER_TOPIC)),
        contact_lines=config.staff.block,
        important=config.staff.important,
    )


def _town_sector_pages(town: Facet, chosen: Sequence[ApprovedItem]) -> list[ListPage]:
    """The filter Ort × Branche as pre-built pages (no JavaScript, no server): one per sector that has any of the
    town's own items — empty combinations are neither built nor linked."""
    pages = []
    for sector in SECTORS:
        picked = [item for item in chosen if in_sector(sector, item.sectors, item.topics)]
        if not picked:
            continue
        path = f"ort/{town.slug}/{sector.slug}.html"
        intro = (
            f"Meldungen, die {town.label} betreffen, für die Branche {sector.label}. Landkreisweite Meldungen "
            f"dieser Branche stehen auf der Branchenseite."
        )
        title = f"{town.label}: {sector.label}"
        back = (NavLink(f"ort/{town.slug}.html", f"Alle Meldungen für {town.label}"),)
        page = ListPage(path, title, intro, by_topic(picked, None, None), None, None, path, related=back)
        pages.append(replace(page, related_label=f"{sector.label} ({len(picked)})"))
    return pages


def _sector_sub(facet: Facet) -> tuple[NavLink, ...]:
    return (DIRECTORY_LINK,) if facet.key == DIRECTORY_SECTOR else ()


def _list_pages(active: list[ApprovedItem], expired: list[ApprovedItem], config: PublishConfig) -> tuple[ListPage, ...]:
    topic_href: Callable[[Facet], str] = lambda facet: f"thema/{facet.slug}.html"  # noqa: E731
    offers = config.staff.offer_ids  # towns' offers: in "Angebote der Kommunen", not again under a topic
    pages = [
        ListPage(
            "index.html",
            config.title,
            "Aktuelle Informationen für Unternehmen im Landkreis Mittelsachsen, nach Themen geordnet.",
            by_topic([item for item in active if item.id not in offers], config.section_items, topic_href),
            FeedRef("alle", "Alle Meldungen", "all"),
            "widget/index.html",
            "index.html",
            municipal=town_blocks(active, config.staff),
        )
    ]
    for facet in (*TOPICS, OTHER_TOPIC):
        chosen = [item for item in active if _has_topic(item, facet)]
        section = Section(facet.slug, facet.label, tuple(item.id for item in chosen), len(chosen), None)
        ref = FeedRef(f"thema-{facet.slug}", facet.label, "topic")
        path = f"thema/{facet.slug}.html"
        pages.append(
            ListPage(path, facet.label, f"Alle Meldungen zum Thema {facet.label}.", (section,), ref, None, path)
        )
    for facet in SECTORS:
        chosen = [item for item in active if in_sector(facet, item.sectors, item.topics)]
        path = f"branche/{facet.slug}.html"
        ref = FeedRef(f"branche-{facet.slug}", facet.label, "sector")
        intro = f"Meldungen für die Branche {facet.label}, nach Themen geordnet."
        sections = by_topic(chosen, None, None)
        related = _sector_sub(facet)
        pages.append(ListPage(path, facet.label, intro, sections, ref, f"widget/{path}", path, related=related))
    for facet in TOWN_FACETS:
        # the town's own items; county-wide ones are on the main page (else 52 copies of everything)
        chosen = [item for item in active if own_town(facet, item) and item.id not in offers]
        path = f"ort/{facet.slug}.html"
        ref = FeedRef(f"ort-{facet.slug}", facet.label, "town")
        intro = f"Meldungen, die {facet.label} betreffen. Landkreisweite Meldungen stehen auf der Startseite."
        own = town_blocks(active, config.staff, facet.key)
        combined = _town_sector_pages(facet, chosen)
        related = tuple(NavLink(page.path, page.related_label) for page in combined)
        sections = by_topic(chosen, None, None)
        pages.append(
            ListPage(
                path,
                facet.label,
                intro,
                sections,
                ref,
                f"widget/{path}",
                path,
                municipal=own,
                related=related,
                related_title="Nach Branche:" if related else "",
            )
        )
        pages.extend(combined)
    archived = Section("archiv", "Abgelaufene Meldungen", tuple(item.id for item in expired), len(expired), None)
    intro = "Meldungen, deren Gültigkeit abgelaufen ist. Sie bleiben hier zum Nachlesen."
    pages.append(ListPage("archiv.html", "Archiv", intro, (archived,) if expired else (), None, None, "archiv.html"))
    return tuple(pages)


def _feeds(active: list[ApprovedItem], config: PublishConfig) -> tuple[FeedSpec, ...]:
    def spec(ref: FeedRef, description: str, page: str, chosen: Iterable[ApprovedItem]) -> FeedSpec:
        return FeedSpec(ref, description, page, tuple(islice((item.id for item in chosen), config.feed_items)))

    specs = [spec(FeedRef("alle", "Alle Meldungen", "all"), "Alle Meldungen der Rubrik", "index.html", active)]
    for facet in (*TOPICS, OTHER_TOPIC):
        chosen = (item for item in active if _has_topic(item, facet))
        ref = FeedRef(f"thema-{facet.slug}", facet.label, "topic")
        specs.append(spec(ref, f"Thema: {facet.label}", f"thema/{facet.slug}.html", chosen))
    for facet in SECTORS:
        chosen = (item for item in active if in_sector(facet, item.sectors, item.topics))
        ref = FeedRef(f"branche-{facet.slug}", facet.label, "sector")
        specs.append(spec(ref, f"Branche: {facet.label}", f"branche/{facet.slug}.html", chosen))
    for facet in TOWN_FACETS:
        chosen = (item for item in active if town_feed(facet, item))
        ref = FeedRef(f"ort-{facet.slug}", facet.label, "town")
        specs.append(spec(ref, f"Landkreisweite Meldungen und {facet.label}", f"ort/{facet.slug}.html", chosen))
    return tuple(specs)


def _widgets(active: list[ApprovedItem], config: PublishConfig) -> tuple[WidgetPage, ...]:
    n = config.widget_items
    pages = [WidgetPage("widget/index.html", config.title, tuple(i.id for i in active[:n]), "index.html")]
    for facet in SECTORS:
        ids = tuple(islice((i.id for i in active if in_sector(facet, i.sectors, i.topics)), n))
        pages.append(WidgetPage(f"widget/branche/{facet.slug}.html", facet.label, ids, f"branche/{facet.slug}.html"))
    for facet in TOWN_FACETS:
        ids = tuple(islice((i.id for i in active if town_feed(facet, i)), n))
        pages.append(WidgetPage(f"widget/ort/{facet.slug}.html", facet.label, ids, f"ort/{facet.slug}.html"))
    return tuple(pages)


@dataclass(frozen=True, slots=True)
class FeedGroup:
    slug: str
    title: str
    refs: tuple[FeedRef, ...]


_GROUP_TITLES = (("all", "Alle Meldungen"), ("sector", "Nach Branche"), ("topic", "Nach Thema"), ("town", "Nach Ort"))


def feed_groups(feeds: Sequence[FeedSpec]) -> tuple[FeedGroup, ...]:
    """The feed index page: every feed, grouped by what it selects."""
    return tuple(
        FeedGroup(kind, title, tuple(spec.ref for spec in feeds if spec.ref.kind == kind))
        for kind, title in _GROUP_TITLES
    )
