"""Kauf regional: what a directory entry is and how raw input (form, CSV/XLSX row, staff edit) becomes one.

Pure functions. One validator for every door, so a form, an import and a staff edit accept and refuse the same
things. Every field is treated as hostile: markup is stripped (text is escaped again at output), sizes are
checked on the *raw* value (oversized input is refused, not silently cut), URLs must be http(s), coordinates
must lie in or near Saxony. Messages are German and name the field, because they go straight to the public.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from process.text import one_line, plain_text
from process.urls import canonical_url

CATEGORIES: Mapping[str, str] = {
    "einzelhandel": "Einzelhandel",
    "gastronomie": "Gastronomie",
    "regionale-produzenten": "Regionale Produzenten",
    "handwerk": "Handwerk",
    "dienstleistung": "Dienstleistung",
    "freizeit-kultur": "Freizeit und Kultur",
}
OFFER_TYPES: Mapping[str, str] = {
    "abholung": "Abholung",
    "lieferung": "Lieferung",
    "onlineshop": "Onlineshop",
    "gutschein": "Gutschein",
}
# Saxony spans about 50.17–51.69 °N and 11.87–15.04 °E; a small margin admits border addresses and rounding.
LAT_RANGE = (50.10, 51.75)
LON_RANGE = (11.80, 15.10)
# Raw input limits (before cleaning). Anything longer is refused: no business name needs 2,000 characters.
RAW_LIMITS: Mapping[str, int] = {
    "name": 200, "category": 60, "town": 80, "address": 200, "postcode": 10, "lat": 30, "lon": 30,
    "phone": 40, "email": 254, "website": 500, "shop_url": 500, "opening_notes": 1000, "valid_until": 20,
    "abholung": 500, "lieferung": 500, "onlineshop": 500, "gutschein": 500, "voucher_scheme": 120,
    "description": 1000,
}  # fmt: skip
FIELDS = tuple(RAW_LIMITS)
YES = frozenset({"ja", "x", "1", "true", "yes", "on", "✓"})

_PHONE = re.compile(r"\+?[0-9][0-9 ()/.\-]{3,28}[0-9]")
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)
_POSTCODE = re.compile(r"0[1-9][0-9]{3}")
_DATE_DE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


@dataclass(frozen=True, slots=True)
class Offer:
    kind: str  # key of OFFER_TYPES
    note: str = ""  # plain text
    url: str | None = None  # canonical http(s) (online shop)
    scheme: str = ""  # municipal voucher scheme, for "gutschein"


@dataclass(frozen=True, slots=True)
class Business:
    """A validated entry: every text field plain text, every URL canonical http(s)."""

    name: str
    category: str  # key of CATEGORIES
    town: str  # official municipality name
    address: str = ""
    postcode: str = ""
    lat: float | None = None
    lon: float | None = None
    phone: str = ""
    email: str = ""
    website: str | None = None
    opening_notes: str = ""
    description: str = ""
    valid_until: date | None = None
    offers: tuple[Offer, ...] = ()

    @property
    def offer_kinds(self) -> tuple[str, ...]:
        return tuple(offer.kind for offer in self.offers)


@dataclass(frozen=True, slots=True)
class Validation:
    business: Business | None
    errors: Mapping[str, str] = field(default_factory=dict)  # field -> German message


def validate(
    raw: Mapping[str, str | None], towns: Collection[str], *, today: date | None = None,
    former_towns: Mapping[str, str] | None = None,
) -> Validation:  # fmt: skip
    """Check and clean one entry. ``raw`` uses the keys of :data:`FIELDS`; unknown keys are ignored.
    ``former_towns`` (old name -> today's municipality) turns a merged town into a precise hint."""
    values = {key: str(raw.get(key) or "") for key in FIELDS}
    errors: dict[str, str] = {}
    for key, limit in RAW_LIMITS.items():
        if len(values[key]) > limit:
            errors[key] = f"Zu lang (höchstens {limit} Zeichen)."
    checks = _Checks(values, errors)
    name = checks.text("name", 120, required="Bitte den Namen des Geschäfts angeben.")
    category = checks.choice("category", CATEGORIES, "Bitte eine Kategorie wählen.")
    town = checks.town(towns, former_towns or {})
    lat, lon = checks.coordinates()
    website = checks.url("website")
    offers = checks.offers(website)
    business = Business(
        name=name, category=category, town=town, address=checks.text("address", 160),
        postcode=checks.postcode(),
        lat=lat, lon=lon, phone=checks.phone(), email=checks.email("email"), website=website,
        opening_notes=checks.text("opening_notes", 800, multiline=True),
        description=checks.text("description", 800, multiline=True),
        valid_until=checks.future_date("valid_until", today), offers=offers,
    )  # fmt: skip
    return Validation(None if errors else business, errors)


def parse_email(value: str) -> str | None:
    """A plausible e-mail address (lower-cased domain) or None."""
    value = value.strip()
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        return None
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def match_town(value: str, towns: Collection[str]) -> str | None:
    """The official spelling of ``value`` ("freiberg", "Frankenberg" -> "Frankenberg/Sa.") or None."""
    wanted = _fold(value)
    by_fold = {_fold(town): town for town in towns}
    if wanted in by_fold:
        return by_fold[wanted]
    short = {_fold(town.split("/")[0]): town for town in towns}
    return short.get(wanted)


def slugify(text: str) -> str:
    """ASCII slug for file names and URLs ("Bäckerei Müller, Döbeln" -> "baeckerei-mueller-doebeln")."""
    text = text.lower()
    for umlaut, repl in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, repl)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "eintrag"


def _fold(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


@dataclass
class _Checks:
    values: dict[str, str]
    errors: dict[str, str]

    def fail(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def text(self, key: str, max_len: int, *, required: str = "", multiline: bool = False) -> str:
        raw = self.values[key]
        cleaned = plain_text(raw, max_len=max_len + 1) if multiline else one_line(raw, max_len + 1)
        if required and len(cleaned) < 2:
            self.fail(key, required)
        elif len(cleaned) > max_len:
            self.fail(key, f"Zu lang (höchstens {max_len} Zeichen).")
        return cleaned

    def choice(self, key: str, options: Mapping[str, str], required: str) -> str:
        raw = _fold(self.values[key])
        for slug, label in options.items():
            if raw in (slug, _fold(label)):
                return slug
        self.fail(key, required if not raw else "Unbekannte Auswahl.")
        return ""

    def town(self, towns: Collection[str], former: Mapping[str, str]) -> str:
        raw = one_line(self.values["town"])
        if not raw:
            self.fail("town", "Bitte den Ort (Stadt oder Gemeinde im Landkreis Mittelsachsen) angeben.")
            return ""
        found = match_town(raw, towns)
        merged = {_fold(old): new for old, new in former.items()}.get(_fold(raw))
        if found is None and merged:
            self.fail("town", f"„{raw[:60]}“ gehört seit der Eingemeindung zu {merged}; bitte {merged} angeben.")
            return ""
        if found is None:
            self.fail("town", f"„{raw[:60]}“ ist keine Stadt oder Gemeinde im Landkreis Mittelsachsen.")
            return ""
        return found

    def postcode(self) -> str:
        raw = self.values["postcode"].strip()
        if len(raw) == 4 and raw.isdigit():
            raw = "0" + raw  # spreadsheets drop the leading zero of 0xxxx postcodes
        if raw and not _POSTCODE.fullmatch(raw):
            self.fail("postcode", "Bitte eine fünfstellige sächsische Postleitzahl angeben.")
        return raw

    def phone(self) -> str:
        raw = " ".join(self.values["phone"].split())
        if raw and (not _PHONE.fullmatch(raw) or sum(c.isdigit() for c in raw) < 5):
            self.fail("phone", "Bitte eine Telefonnummer nur aus Ziffern, Leerzeichen und + ( ) / - angeben.")
        return raw

    def email(self, key: str) -> str:
        raw = self.values[key].strip()
        if not raw:
            return ""
        parsed = parse_email(raw)
        if parsed is None:
            self.fail(key, "Bitte eine gültige E-Mail-Adresse angeben.")
            return ""
        return parsed

    def url(self, key: str) -> str | None:
        raw = self.values[key].strip()
        if not raw:
            return None
        if "://" not in raw and not raw.lower().startswith(("javascript:", "data:", "mailto:", "vbscript:")):
            raw = "https://" + raw  # "www.laden.de" is what people type
        url = canonical_url(raw)
        if url is None or "." not in (url.split("/")[2] if url.count("/") >= 2 else ""):
            self.fail(key, "Bitte eine Webadresse mit http:// oder https:// angeben.")
            return None
        return url

    def coordinates(self) -> tuple[float | None, float | None]:
        raw_lat, raw_lon = self.values["lat"].strip(), self.values["lon"].strip()
        if not raw_lat and not raw_lon:
            return None, None
        lat, lon = _decimal(raw_lat), _decimal(raw_lon)
        if lat is None or lon is None:
            self.fail("lat", "Bitte Breite und Länge als Dezimalzahlen angeben (z. B. 50,9119 und 13,3428).")
            return None, None
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            self.fail("lat", "Die Koordinaten liegen nicht in Sachsen (Breite zuerst, dann Länge).")
            return None, None
        return round(lat, 6), round(lon, 6)

    def future_date(self, key: str, today: date | None) -> date | None:
        raw = self.values[key].strip()
        if not raw:
            return None
        day = _date(raw)
        if day is None:
            self.fail(key, "Bitte ein Datum als TT.MM.JJJJ angeben.")
        elif today is not None and day < today:
            self.fail(key, "Das Datum liegt in der Vergangenheit.")
        return day

    def offers(self, website: str | None) -> tuple[Offer, ...]:
        offers: list[Offer] = []
        for kind in OFFER_TYPES:
            raw = self.values[kind].strip()
            if not raw:
                continue
            note = "" if raw.casefold() in YES else self.text(kind, 300, multiline=True)
            offers.append(self._offer(kind, note, website))
        if not offers:
            self.fail("offers", "Bitte mindestens ein Angebot wählen (Abholung, Lieferung, Onlineshop, Gutschein).")
        return tuple(offers)

    def _offer(self, kind: str, note: str, website: str | None) -> Offer:
        if kind == "onlineshop":
            shop = self.url("shop_url") or website
            if shop is None and "shop_url" not in self.errors:
                self.fail("shop_url", "Für den Onlineshop bitte dessen Webadresse angeben.")
            return Offer(kind, note, shop)
        if kind == "gutschein":
            return Offer(kind, note, None, self.text("voucher_scheme", 100))
        return Offer(kind, note)


def _decimal(raw: str) -> float | None:
    try:
        number = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None
    return float(number) if number.is_finite() else None


def _date(raw: str) -> date | None:
    german = _DATE_DE.fullmatch(raw)
    try:
        if german:
            return date(int(german.group(3)), int(german.group(2)), int(german.group(1)))
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def form_values(business: Business) -> dict[str, str]:
    """The raw form/CSV fields that :func:`validate` turns back into ``business`` (for edit forms, exports)."""
    values = {key: "" for key in FIELDS}
    values.update(
        name=business.name, category=business.category, town=business.town, address=business.address,
        postcode=business.postcode, phone=business.phone, email=business.email, website=business.website or "",
        opening_notes=business.opening_notes, description=business.description,
        lat="" if business.lat is None else f"{business.lat:.6f}",
        lon="" if business.lon is None else f"{business.lon:.6f}",
        valid_until=business.valid_until.isoformat() if business.valid_until else "",
    )  # fmt: skip
    for offer in business.offers:
        values[offer.kind] = offer.note or "ja"
        if offer.kind == "onlineshop" and offer.url and offer.url != business.website:
            values["shop_url"] = offer.url
        if offer.kind == "gutschein":
            values["voucher_scheme"] = offer.scheme
    return values
