"""The published "Kauf regional" directory: static pages written into a given output directory.

``render_directory(out_dir, entries, config)`` writes ``out_dir/kauf-regional/``:

    index.html, seite-2.html …           all entries, 100 per page, with filter links
    ort/<slug>.html, kategorie/<slug>.html, angebot/<slug>.html (+ -seite-N)   one pre-rendered page per filter
    betrieb/<slug>.html                  one page per business with schema.org LocalBusiness JSON-LD
    karte.html, karte.js                 only when a tile server is configured (RUBRIK_MAP_TILE_URL)
    kauf-regional.geojson, kauf-regional.csv   open data (RFC 7946; the CSV re-imports with `rubrik directory import`)

Filtering needs no JavaScript: every filter value is a page. All links are relative, so the folder works under
any base URL. Entries are grouped in one pass; nothing here touches the database (``load_entries`` does, once).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from process.directory import CATEGORIES, OFFER_TYPES, Business, form_values, slugify
from store.directory_repo import PublicEntry

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
ASSETS = TEMPLATES / "public" / "directory"
FOLDER = "kauf-regional"
PAGE_SIZE = 100
CSV_COLUMNS = (
    ("name", "name"), ("kategorie", "category"), ("ort", "town"), ("adresse", "address"), ("plz", "postcode"),
    ("lat", "lat"), ("lon", "lon"), ("telefon", "phone"), ("email", "email"), ("website", "website"),
    ("abholung", "abholung"), ("lieferung", "lieferung"), ("onlineshop", "onlineshop"), ("gutschein", "gutschein"),
    ("shop_url", "shop_url"), ("gutschein_programm", "voucher_scheme"), ("oeffnungszeiten", "opening_notes"),
    ("beschreibung", "description"), ("gueltig_bis", "valid_until"),
)  # fmt: skip
SCHEMA_TYPES = {"einzelhandel": "Store", "gastronomie": "FoodEstablishment", "handwerk": "HomeAndConstructionBusiness"}
FACETS = (("ort", "Ort"), ("kategorie", "Kategorie"), ("angebot", "Angebot"))
MAP_PAGE = f"{FOLDER}/karte.html"


@dataclass(frozen=True, slots=True)
class DirectoryConfig:
    title: str = "Kauf regional im Landkreis Mittelsachsen"
    form_url: str = "/kauf-regional/eintragen"  # where businesses submit (the form app)
    tile_url: str = ""  # {z}/{x}/{y} template; empty: no map page, no third-party request
    attribution: str = ""
    base_url: str = ""  # absolute URL of the folder, for JSON-LD and GeoJSON links; empty: relative links


@dataclass(frozen=True, slots=True)
class Card:
    slug: str
    business: Business
    category_label: str
    offer_labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FacetLink:
    """A link in the directory's facet navigation (a category or town page) with its count of entries; the
    rubric's own navigation uses publish.context.NavLink."""

    label: str
    href: str
    count: int
    current: bool


@dataclass(frozen=True, slots=True)
class ListPage:
    title: str
    heading: str
    root: str  # relative path to the folder ("" or "../")
    cards: tuple[Card, ...]
    total: int
    nav: dict[str, tuple[FacetLink, ...]]
    pages: tuple[tuple[int, str], ...]  # (number, href) of this listing's pages
    page_no: int
    config: DirectoryConfig
    generated: str


@dataclass
class Groups:
    """Entries grouped by every filter value, built in one pass."""

    by: dict[str, dict[str, list[Card]]] = field(default_factory=lambda: {key: defaultdict(list) for key, _ in FACETS})
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: {key: {} for key, _ in FACETS})


def render_directory(
    out_dir: Path, entries: Sequence[PublicEntry], config: DirectoryConfig, now: datetime
) -> list[Path]:
    """Write the directory into ``out_dir/kauf-regional``; returns the files written."""
    written = []
    for relative, data in directory_files(entries, config, now).items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def directory_files(entries: Sequence[PublicEntry], config: DirectoryConfig, now: datetime) -> dict[str, bytes]:
    """Every file of the directory as {"kauf-regional/…": bytes} — what the release step adds to a release.

    Pages carry the date of the newest confirmation, not the clock, so unchanged data renders identically
    (the release step skips a publish whose inputs did not change)."""
    folder = Path(FOLDER)
    env = _env()
    cards = [_card(entry) for entry in entries]
    groups = group(cards)
    newest = max((e.last_confirmed_at for e in entries), default=now)
    stamp = newest.astimezone(UTC).strftime("%d.%m.%Y")
    pages = dict(_listing_pages(env, folder, cards, groups, config, stamp))
    pages.update((folder / "betrieb" / f"{card.slug}.html", _detail(env, card, config, stamp)) for card in cards)
    pages[folder / "kauf-regional.geojson"] = geojson(entries, config.base_url)
    pages[folder / "kauf-regional.csv"] = to_csv(entries)
    pages[folder / "directory.css"] = (ASSETS / "directory.css").read_text(encoding="utf-8")
    if config.tile_url:
        pages.update(_map(env, folder, entries, config, stamp))
    return {str(path): text.encode("utf-8") for path, text in pages.items()}


def group(cards: Sequence[Card]) -> Groups:
    groups = Groups()
    for card in cards:
        b = card.business
        _add(groups, "ort", b.town, b.town, card)
        _add(groups, "kategorie", b.category, card.category_label, card)
        for kind in dict.fromkeys(b.offer_kinds):
            _add(groups, "angebot", kind, OFFER_TYPES.get(kind, kind), card)
    return groups


def _add(groups: Groups, facet: str, value: str, label: str, card: Card) -> None:
    groups.by[facet][slugify(value)].append(card)
    groups.labels[facet][slugify(value)] = label


def _card(entry: PublicEntry) -> Card:
    b = entry.business
    return Card(
        entry.slug, b, CATEGORIES.get(b.category, b.category), tuple(OFFER_TYPES.get(k, k) for k in b.offer_kinds)
    )


def _listing_pages(
    env: jinja2.Environment, folder: Path, cards: list[Card], groups: Groups, config: DirectoryConfig, stamp: str
) -> Iterator[tuple[Path, str]]:
    yield from _paged(env, folder, "index", "", cards, _nav(groups, None, None, ""), config, config.title, stamp)
    for facet, facet_label in FACETS:
        for value, members in groups.by[facet].items():
            label = groups.labels[facet][value]
            nav = _nav(groups, facet, value, "../")
            heading = f"{facet_label}: {label}"
            yield from _paged(env, folder / facet, value, "../", members, nav, config, heading, stamp)


def _paged(
    env: jinja2.Environment, folder: Path, stem: str, root: str, cards: Sequence[Card],
    nav: dict[str, tuple[FacetLink, ...]], config: DirectoryConfig, heading: str, stamp: str,
) -> Iterator[tuple[Path, str]]:  # fmt: skip
    count = max(1, -(-len(cards) // PAGE_SIZE))
    names = [f"{stem}.html" if n == 1 else f"{stem}-seite-{n}.html" for n in range(1, count + 1)]
    pages = tuple((n, name) for n, name in enumerate(names, start=1))
    template = env.get_template("public/directory/list.html")
    for number, name in pages:
        chunk = tuple(cards[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
        page = ListPage(
            heading, heading, root, chunk, len(cards), nav, pages if count > 1 else (), number, config, stamp
        )
        yield folder / name, template.render(page=page)


def _nav(groups: Groups, facet: str | None, value: str | None, root: str) -> dict[str, tuple[FacetLink, ...]]:
    nav: dict[str, tuple[FacetLink, ...]] = {}
    for key, _label in FACETS:
        values = sorted(groups.by[key], key=lambda v: groups.labels[key][v].casefold())
        nav[key] = tuple(
            FacetLink(
                groups.labels[key][v], f"{root}{key}/{v}.html", len(groups.by[key][v]), key == facet and v == value
            )
            for v in values
        )
    return nav


def _detail(env: jinja2.Environment, card: Card, config: DirectoryConfig, stamp: str) -> str:
    template = env.get_template("public/directory/business.html")
    return template.render(card=card, config=config, root="../", generated=stamp, jsonld=json_ld(card, config))


def json_ld(card: Card, config: DirectoryConfig) -> dict[str, Any]:
    """schema.org LocalBusiness (or a subtype) — data for search engines; the template JSON-escapes it."""
    b = card.business
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(b.category, "LocalBusiness"),
        "name": b.name,
        "address": {
            "@type": "PostalAddress", "streetAddress": b.address, "postalCode": b.postcode,
            "addressLocality": b.town, "addressRegion": "Sachsen", "addressCountry": "DE",
        },
        "makesOffer": [{"@type": "Offer", "name": OFFER_TYPES[o.kind], **({"url": o.url} if o.url else {}),
                        **({"description": o.note} if o.note else {})} for o in b.offers],
    }  # fmt: skip
    optional = {"telephone": b.phone, "email": b.email, "url": b.website, "description": b.description}
    data.update({key: value for key, value in optional.items() if value})
    if b.lat is not None and b.lon is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": b.lat, "longitude": b.lon}
    if config.base_url:
        data["@id"] = f"{config.base_url.rstrip('/')}/betrieb/{card.slug}.html"
    return data


def geojson(entries: Sequence[PublicEntry], base_url: str = "") -> str:
    """RFC 7946 FeatureCollection of entries with coordinates (positions are [longitude, latitude])."""
    features = []
    for entry in entries:
        b = entry.business
        if b.lat is None or b.lon is None:
            continue
        properties = {
            "id": entry.slug, "name": b.name, "category": b.category, "town": b.town, "address": b.address,
            "postcode": b.postcode, "phone": b.phone, "email": b.email, "website": b.website,
            "offers": list(b.offer_kinds), "opening_notes": b.opening_notes,
            "valid_until": b.valid_until.isoformat() if b.valid_until else None,
            "last_confirmed": entry.last_confirmed_at.date().isoformat(),
            "page": f"{base_url.rstrip('/')}/betrieb/{entry.slug}.html" if base_url else f"betrieb/{entry.slug}.html",
        }  # fmt: skip
        geometry = {"type": "Point", "coordinates": [b.lon, b.lat]}
        features.append({"type": "Feature", "id": entry.slug, "geometry": geometry, "properties": properties})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1)


def to_csv(entries: Sequence[PublicEntry]) -> str:
    """All public entries in the import format (``;``-separated, UTF-8); spreadsheet formulas are defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for entry in entries:
        values = form_values(entry.business)
        writer.writerow([defuse(values[key]) for _, key in CSV_COLUMNS])
    return buffer.getvalue()


def defuse(value: str) -> str:
    """A leading ', so =, +, -, @ do not start a formula in a spreadsheet; the importer removes it again."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _map(
    env: jinja2.Environment, folder: Path, entries: Sequence[PublicEntry], config: DirectoryConfig, stamp: str
) -> dict[Path, str]:
    points = [
        {"lat": e.business.lat, "lon": e.business.lon, "name": e.business.name, "href": f"betrieb/{e.slug}.html"}
        for e in entries
        if e.business.lat is not None and e.business.lon is not None
    ]
    data = {"tiles": config.tile_url, "points": points}
    html = env.get_template("public/directory/map.html").render(config=config, data=data, root="", generated=stamp)
    return {folder / "karte.html": html, folder / "karte.js": (ASSETS / "karte.js").read_text(encoding="utf-8")}


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    env.filters["dir_slug"] = slugify
    return env


def map_csp(page_csp: str, tile_url: str) -> str:
    """The page CSP plus ``img-src`` for the configured tile server's origin (and nothing else)."""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return page_csp
    return f"{page_csp}; img-src 'self' {parts.scheme}://{parts.netloc}"


def config_from_settings(settings: Any, base_url: str = "") -> DirectoryConfig:
    form = settings.directory_base_url.rstrip("/") + "/eintragen"
    return DirectoryConfig(
        form_url=form, tile_url=settings.map_tile_url, attribution=settings.map_attribution, base_url=base_url
    )


def publish_directory(settings: Any, out_dir: Path, now: datetime | None = None, base_url: str = "") -> list[Path]:
    """Load the public entries once and render them into ``out_dir`` (the release step calls this)."""
    from store.db import check_schema, make_engine, session_factory
    from store.directory_repo import public_entries

    now = now or datetime.now(UTC)
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        with session_factory(engine)() as session:
            entries = public_entries(session, now.date())
    finally:
        engine.dispose()
    return render_directory(out_dir, entries, config_from_settings(settings, base_url), now)
