"""Kauf-regional jobs as plain functions (CLI and maintenance flow call them): expiry with re-confirmation
mails, import of the existing list, geocoding of addresses without coordinates."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from notify.mail import MailError, mail_configured, send_mail
from process.directory_import import ImportReport, check_rows, read_table
from review.directory_app import manage_url
from review.directory_mail import reminder_mail
from review.security import new_token, token_hash
from settings import Settings
from sources.catalog import FORMER_TOWNS, TOWNS
from sources.fetch import FetchConfig, Fetcher
from sources.geocode import GeocodeError, geocode
from store import directory_repo
from store.db import check_schema, make_engine, session_factory, transaction
from store.directory_repo import NewEntry

Geocode = Callable[[str], Awaitable[tuple[float, float] | None]]


@dataclass
class ExpiryReport:
    reminded: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    mail_failures: list[str] = field(default_factory=list)


def expire_directory(settings: Settings, now: datetime | None = None) -> ExpiryReport:
    """Ask entries unconfirmed for RUBRIK_DIRECTORY_RECONFIRM_DAYS "Ist Ihr Angebot noch aktuell?" (when SMTP is
    configured), and take entries past valid_until or unconfirmed for a further grace period off the directory."""
    now = now or datetime.now(UTC)
    ask_before = now - timedelta(days=settings.directory_reconfirm_days)
    drop_before = ask_before - timedelta(days=settings.directory_grace_days)
    mail = mail_configured(settings)
    report = ExpiryReport()
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        factory = session_factory(engine)
        with transaction(factory) as session:
            report.expired = directory_repo.expire(session, today=now.date(), confirmed_before=drop_before, now=now)
            due = directory_repo.due_for_reminder(session, ask_before)
        for business_id, _slug, name, email in due:
            if not mail or not email:
                continue
            _remind(factory, settings, business_id, name, email, now, report)
    finally:
        engine.dispose()
    return report


def _remind(factory: object, settings: Settings, business_id: int, name: str, email: str,
            now: datetime, report: ExpiryReport) -> None:  # fmt: skip
    token = new_token()
    subject, body = reminder_mail(name, manage_url(settings, token), settings.directory_grace_days)
    try:
        with transaction(factory) as session:  # type: ignore[arg-type]
            directory_repo.rotate_edit_token(session, business_id, token_hash(token))
            directory_repo.mark_reminded(session, business_id, now)
            send_mail(settings, [email], subject, body)  # a failed send rolls the new token back
        report.reminded.append(business_id)
    except MailError as exc:
        report.mail_failures.append(str(exc))


@dataclass
class ImportResult:
    report: ImportReport
    created: int = 0
    geocoded: int = 0


def import_file(settings: Settings, path: Path, *, dry_run: bool, approve: bool = False) -> ImportResult:
    """Check every row; unless ``dry_run``, store the good ones (pending review, or approved with ``approve``)."""
    rows = read_table(path)
    now = datetime.now(UTC)
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        factory = session_factory(engine)
        with transaction(factory) as session:
            existing = directory_repo.import_keys(session)
            report = check_rows(rows, TOWNS, today=now.date(), existing=existing, former_towns=FORMER_TOWNS)
        result = ImportResult(report)
        if dry_run:
            return result
        with transaction(factory) as session:
            for accepted in report.accepted:
                entry = NewEntry(
                    accepted.business, "import", token_hash(new_token()), "import",
                    status="approved" if approve else "pending", import_key=accepted.key,
                )  # fmt: skip
                directory_repo.create(session, entry, now)
                result.created += 1
    finally:
        engine.dispose()
    if settings.geocoder_url:
        result.geocoded = geocode_missing(settings)
    return result


def make_geocoder(settings: Settings) -> tuple[Geocode, Fetcher] | None:
    """An async geocode function through the network gate, or None when no service is configured."""
    if not settings.geocoder_url:
        return None
    fetcher = Fetcher(FetchConfig.from_settings(settings))
    base = settings.geocoder_url

    async def lookup(address: str) -> tuple[float, float] | None:
        try:
            return await geocode(fetcher, base, address)
        except GeocodeError:
            return None  # staff can add coordinates by hand; the entry does not wait for the service

    return lookup, fetcher


def geocode_missing(settings: Settings) -> int:
    """Fill coordinates of current versions that have an address but none; returns how many were found."""
    made = make_geocoder(settings)
    if made is None:
        return 0
    lookup, fetcher = made
    engine = make_engine(settings.database_url)
    try:
        factory = session_factory(engine)
        with transaction(factory) as session:
            missing = directory_repo.missing_coordinates(session)

        async def run() -> list[tuple[int, tuple[float, float] | None]]:
            async with fetcher:
                return [(vid, await lookup(f"{addr}, {plz} {town}".strip())) for vid, addr, plz, town in missing]

        found = [(vid, hit) for vid, hit in asyncio.run(run()) if hit is not None]
        with transaction(factory) as session:
            for version_id, (lat, lon) in found:
                directory_repo.set_coordinates(session, version_id, lat, lon)
    finally:
        engine.dispose()
    return len(found)
