"""Reading the existing Kauf-regional list (CSV or XLSX) into validated entries, with a report of rejected rows.

Column names are matched loosely (German or English, any case, spaces/hyphens ignored). Every row goes through
the same validator as the public form. Row numbers are spreadsheet row numbers (header = row 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from process.directory import Business, Validation, slugify, validate

COLUMNS: dict[str, str] = {
    "name": "name", "firma": "name", "geschaeft": "name", "kategorie": "category", "category": "category",
    "branche": "category", "ort": "town", "gemeinde": "town", "town": "town", "adresse": "address",
    "strasse": "address", "address": "address", "plz": "postcode", "postleitzahl": "postcode", "lat": "lat",
    "breite": "lat", "latitude": "lat", "lon": "lon", "lng": "lon", "laenge": "lon", "longitude": "lon",
    "telefon": "phone", "phone": "phone", "email": "email", "mail": "email", "website": "website",
    "webseite": "website", "internet": "website", "abholung": "abholung", "lieferung": "lieferung",
    "onlineshop": "onlineshop", "gutschein": "gutschein", "shopurl": "shop_url", "onlineshopurl": "shop_url",
    "gutscheinprogramm": "voucher_scheme", "oeffnungszeiten": "opening_notes", "hinweise": "opening_notes",
    "beschreibung": "description", "gueltigbis": "valid_until", "validuntil": "valid_until",
}  # fmt: skip
MAX_ROWS = 100_000


class ImportFormatError(ValueError):
    """The file cannot be read as a table (unknown format, no name column, too many rows)."""


@dataclass(frozen=True, slots=True)
class Accepted:
    row: int
    key: str  # import key: slug of name and town; a re-import skips keys already in the store
    business: Business


@dataclass
class ImportReport:
    accepted: list[Accepted] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # row number, German reason
    unknown_columns: list[str] = field(default_factory=list)


def read_table(path: Path) -> list[list[str]]:
    """Rows of a .csv (UTF-8 or Windows-1252, ``;`` or ``,``) or .xlsx file, header first."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return rows_from_csv(path.read_bytes())
    if suffix in (".xlsx", ".xlsm"):
        return rows_from_xlsx(path)
    raise ImportFormatError(f"Unbekanntes Dateiformat {suffix or '(ohne Endung)'}: erwartet .csv oder .xlsx.")


def rows_from_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def rows_from_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer() and abs(value) > 1000:
        return str(int(value))  # postcodes and phone numbers typed as numbers
    return str(value)


def check_rows(
    rows: Sequence[Sequence[str]],
    towns: Collection[str],
    *,
    today: date,
    existing: Collection[str] = (),
    former_towns: Mapping[str, str] | None = None,
) -> ImportReport:
    if not rows:
        raise ImportFormatError("Die Datei ist leer.")
    if len(rows) > MAX_ROWS:
        raise ImportFormatError(f"Zu viele Zeilen (höchstens {MAX_ROWS}).")
    header = [_key(name) for name in rows[0]]
    mapping = {index: COLUMNS[name] for index, name in enumerate(header) if name in COLUMNS}
    if "name" not in mapping.values():
        raise ImportFormatError("Keine Spalte „Name“ gefunden.")
    report = ImportReport(unknown_columns=[rows[0][i] for i, name in enumerate(header) if name and name not in COLUMNS])
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        raw = _raw(row, mapping)
        _check_row(number, validate(raw, towns, today=today, former_towns=former_towns), existing, seen, report)
    return report


def _check_row(
    number: int, result: Validation, existing: Collection[str], seen: dict[str, int], report: ImportReport
) -> None:
    if result.business is None:
        reasons = "; ".join(f"{_LABELS.get(key, key)}: {message}" for key, message in result.errors.items())
        report.rejected.append((number, reasons))
        return
    key = slugify(f"{result.business.name} {result.business.town}")
    if key in seen:
        report.rejected.append((number, f"doppelt (wie Zeile {seen[key]})"))
    elif key in existing:
        report.rejected.append((number, "bereits im Verzeichnis (gleicher Name und Ort)"))
    else:
        seen[key] = number
        report.accepted.append(Accepted(number, key, result.business))


def _raw(row: Sequence[str], mapping: dict[int, str]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for index, field_name in mapping.items():
        if index < len(row) and row[index].strip():
            raw.setdefault(field_name, _undefuse(row[index]))
    return raw


def _undefuse(value: str) -> str:
    """Our CSV export prefixes a ' to values a spreadsheet would run as a formula; take it off again."""
    return value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@", "\t", "\r") else value


def _key(name: str) -> str:
    return slugify(name).replace("-", "")


_LABELS = {
    "name": "Name", "category": "Kategorie", "town": "Ort", "address": "Adresse", "postcode": "PLZ",
    "lat": "Koordinaten", "lon": "Koordinaten", "phone": "Telefon", "email": "E-Mail", "website": "Webseite",
    "shop_url": "Shop-Adresse", "offers": "Angebote", "valid_until": "Gültig bis",
    "voucher_scheme": "Gutschein-Programm", "opening_notes": "Hinweise", "description": "Beschreibung",
}  # fmt: skip


def format_report(report: ImportReport) -> Iterable[str]:
    yield f"{len(report.accepted)} Zeilen übernommen, {len(report.rejected)} abgelehnt."
    for number, reason in report.rejected:
        yield f"Zeile {number}: {reason}"
    if report.unknown_columns:
        yield "Unbekannte Spalten (ignoriert): " + ", ".join(report.unknown_columns)
