"""Kauf regional in the store: create, confirm, update, withdraw, decide, expire, list and publish entries.

Every decision and owner action is written to the shared audit log (``items_repo.audit``, ``item_id`` empty,
``detail.business_id`` set). Content comes in and goes out as :class:`process.directory.Business`.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from process.directory import Business, Offer, slugify
from store.directory_schema import (
    DirectoryBusinessRow,
    DirectoryOfferRow,
    DirectorySubmissionRow,
    DirectoryVersionRow,
)
from store.items_repo import DecisionError, audit
from store.upsert import chunks

PUBLIC_STATUSES = ("approved", "pending")  # "pending" with an approved version: an update waits, the old shows


@dataclass(frozen=True, slots=True)
class EntryView:
    id: int
    slug: str
    status: str
    origin: str
    current: Business
    current_version_id: int
    approved: Business | None
    approved_version_id: int | None
    created_at: datetime
    updated_at: datetime
    last_confirmed_at: datetime
    submitter_email: str


@dataclass(frozen=True, slots=True)
class PublicEntry:
    id: int
    slug: str
    business: Business
    last_confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class NewEntry:
    business: Business
    origin: str  # form | import | staff
    edit_token_hash: str
    actor: str
    status: str = "pending"  # "unconfirmed" while a double opt-in waits, "approved" for a trusted import
    confirm_token_hash: str | None = None
    submitter_email: str = ""
    import_key: str | None = None


def create(session: Session, entry: NewEntry, now: datetime) -> int:
    row = DirectoryBusinessRow(
        slug=_free_slug(session, slugify(f"{entry.business.name} {entry.business.town}")),
        status=entry.status, edit_token_hash=entry.edit_token_hash, confirm_token_hash=entry.confirm_token_hash,
        submitter_email=entry.submitter_email, origin=entry.origin, import_key=entry.import_key,
        created_at=now, updated_at=now, last_confirmed_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    version_id = _add_version(session, row.id, entry.business, entry.actor, now)
    row.current_version_id = version_id
    if entry.status == "approved":
        row.approved_version_id, row.decided_at = version_id, now
    audit(session, actor=entry.actor, action=f"directory_{entry.origin}", now=now, detail=_detail(row, version_id))
    return row.id


def import_keys(session: Session) -> set[str]:
    return set(
        session.scalars(select(DirectoryBusinessRow.import_key).where(DirectoryBusinessRow.import_key.is_not(None)))
    )


def confirm_email(session: Session, token_hash: str, now: datetime) -> int | None:
    """Double opt-in: the entry waiting for this confirmation enters the staff queue. The token is single-use."""
    row = session.scalars(
        select(DirectoryBusinessRow).where(DirectoryBusinessRow.confirm_token_hash == token_hash)
    ).first()
    if row is None or not hmac.compare_digest(row.confirm_token_hash or "", token_hash) or row.status != "unconfirmed":
        return None
    row.status, row.confirm_token_hash, row.updated_at, row.last_confirmed_at = "pending", None, now, now
    audit(session, actor="betrieb", action="directory_confirm", now=now, detail=_detail(row, row.current_version_id))
    return row.id


def by_edit_token(session: Session, token_hash: str) -> EntryView | None:
    """The entry of a private link. Looked up by the token's hash, then compared in constant time."""
    row = session.scalars(
        select(DirectoryBusinessRow).where(DirectoryBusinessRow.edit_token_hash == token_hash)
    ).first()
    if row is None or not hmac.compare_digest(row.edit_token_hash, token_hash):
        return None
    return _view(session, row)


def detail(session: Session, business_id: int) -> EntryView | None:
    row = session.get(DirectoryBusinessRow, business_id)
    return None if row is None else _view(session, row)


def propose_update(session: Session, business_id: int, business: Business, *, actor: str, now: datetime) -> int:
    """A new version for review; the approved one stays public until staff decide."""
    row = _row(session, business_id)
    if row.status == "withdrawn":
        raise DecisionError("Der Eintrag wurde zurückgezogen.")
    version_id = _add_version(session, row.id, business, actor, now)
    row.current_version_id, row.updated_at, row.last_confirmed_at = version_id, now, now
    row.reconfirm_sent_at = None
    if row.status != "unconfirmed":
        row.status = "pending"
    audit(session, actor=actor, action="directory_update", now=now, detail=_detail(row, version_id))
    return version_id


def withdraw(session: Session, business_id: int, *, actor: str, now: datetime) -> None:
    row = _row(session, business_id)
    row.status, row.updated_at = "withdrawn", now
    audit(session, actor=actor, action="directory_withdraw", now=now, detail=_detail(row, row.current_version_id))


def reconfirm(session: Session, business_id: int, *, actor: str, now: datetime) -> None:
    """ "Ja, noch aktuell": the clock restarts; an entry that expired for lack of confirmation returns."""
    row = _row(session, business_id)
    if row.status in ("withdrawn", "rejected", "unconfirmed"):
        raise DecisionError("Dieser Eintrag kann nicht bestätigt werden.")
    row.last_confirmed_at, row.reconfirm_sent_at, row.updated_at = now, None, now
    if row.status == "expired":
        row.status = "pending" if row.current_version_id != row.approved_version_id else "approved"
    audit(session, actor=actor, action="directory_reconfirm", now=now, detail=_detail(row, row.current_version_id))


def approve(session: Session, business_id: int, version_id: int, *, actor: str, now: datetime) -> None:
    row = _decidable(session, business_id, version_id)
    row.approved_version_id, row.status, row.decided_at, row.updated_at = version_id, "approved", now, now
    audit(session, actor=actor, action="directory_approve", now=now, detail=_detail(row, version_id))


def reject(session: Session, business_id: int, version_id: int, *, actor: str, now: datetime) -> None:
    """Reject the version under review; an update of a public entry falls back to the approved version."""
    row = _decidable(session, business_id, version_id)
    if row.approved_version_id is not None and row.approved_version_id != version_id:
        row.current_version_id, row.status = row.approved_version_id, "approved"
    else:
        row.status = "rejected"
    row.decided_at = row.updated_at = now
    audit(session, actor=actor, action="directory_reject", now=now, detail=_detail(row, version_id))


def queue(session: Session, statuses: Sequence[str], limit: int = 200) -> list[EntryView]:
    rows = session.scalars(
        select(DirectoryBusinessRow)
        .where(DirectoryBusinessRow.status.in_(statuses))
        .order_by(DirectoryBusinessRow.updated_at.desc(), DirectoryBusinessRow.id.desc())
        .limit(limit)
    ).all()
    return [_view(session, row) for row in rows]


def counts(session: Session) -> dict[str, int]:
    query = select(DirectoryBusinessRow.status, func.count()).group_by(DirectoryBusinessRow.status)
    return {status: int(count) for status, count in session.execute(query).all()}


def public_entries(session: Session, today: date) -> list[PublicEntry]:
    """Every public entry with its approved version and offers, in two queries (no query per business)."""
    query = (
        select(DirectoryBusinessRow, DirectoryVersionRow)
        .join(DirectoryVersionRow, DirectoryVersionRow.id == DirectoryBusinessRow.approved_version_id)
        .where(DirectoryBusinessRow.status.in_(PUBLIC_STATUSES))
        .where((DirectoryVersionRow.valid_until.is_(None)) | (DirectoryVersionRow.valid_until >= today))
        .order_by(DirectoryVersionRow.name, DirectoryBusinessRow.id)
    )
    pairs = session.execute(query).all()
    offers = _offers_of(session, [version.id for _, version in pairs])
    return [
        PublicEntry(row.id, row.slug, _business(version, offers.get(version.id, ())), row.last_confirmed_at)
        for row, version in pairs
    ]


# -- expiry ------------------------------------------------------------------------------------------------


def due_for_reminder(session: Session, confirmed_before: datetime) -> list[tuple[int, str, str, str]]:
    """(id, slug, name, submitter e-mail) of public entries not confirmed since the cutoff and not yet asked."""
    query = (
        select(
            DirectoryBusinessRow.id,
            DirectoryBusinessRow.slug,
            DirectoryVersionRow.name,
            DirectoryBusinessRow.submitter_email,
        )
        .join(DirectoryVersionRow, DirectoryVersionRow.id == DirectoryBusinessRow.approved_version_id)
        .where(DirectoryBusinessRow.status.in_(PUBLIC_STATUSES))
        .where(DirectoryBusinessRow.last_confirmed_at < confirmed_before)
        .where(DirectoryBusinessRow.reconfirm_sent_at.is_(None))
    )
    return [(int(a), str(b), str(c), str(d)) for a, b, c, d in session.execute(query).all()]


def mark_reminded(session: Session, business_id: int, now: datetime) -> None:
    _row(session, business_id).reconfirm_sent_at = now


def expire(session: Session, *, today: date, confirmed_before: datetime, now: datetime) -> list[int]:
    """Public entries past valid_until or not reconfirmed since ``confirmed_before`` become "expired"."""
    query = (
        select(DirectoryBusinessRow, DirectoryVersionRow.valid_until)
        .join(DirectoryVersionRow, DirectoryVersionRow.id == DirectoryBusinessRow.approved_version_id)
        .where(DirectoryBusinessRow.status.in_(PUBLIC_STATUSES))
        .where((DirectoryVersionRow.valid_until < today) | (DirectoryBusinessRow.last_confirmed_at < confirmed_before))
    )
    expired: list[int] = []
    for row, valid_until in session.execute(query).all():
        reason = "valid_until" if valid_until is not None and valid_until < today else "not_reconfirmed"
        row.status, row.updated_at = "expired", now
        audit(
            session, actor="system", action="directory_expire", now=now, detail={**_detail(row, None), "reason": reason}
        )
        expired.append(row.id)
    return expired


def set_coordinates(session: Session, version_id: int, lat: float, lon: float) -> None:
    version = session.get(DirectoryVersionRow, version_id)
    if version is not None:
        version.lat, version.lon = lat, lon


def missing_coordinates(session: Session) -> list[tuple[int, str, str, str]]:
    """(version id, address, postcode, town) of current versions without coordinates but with an address."""
    query = (
        select(
            DirectoryVersionRow.id, DirectoryVersionRow.address, DirectoryVersionRow.postcode, DirectoryVersionRow.town
        )
        .join(DirectoryBusinessRow, DirectoryBusinessRow.current_version_id == DirectoryVersionRow.id)
        .where(DirectoryVersionRow.lat.is_(None), DirectoryVersionRow.address != "")
    )
    return [(int(a), str(b), str(c), str(d)) for a, b, c, d in session.execute(query).all()]


# -- rate limit of the public form ---------------------------------------------------------------------------


def recent_submissions(session: Session, ip_hash: str, since: datetime) -> int:
    query = select(func.count()).where(DirectorySubmissionRow.ip_hash == ip_hash, DirectorySubmissionRow.at >= since)
    return int(session.scalar(query) or 0)


def record_submission(session: Session, ip_hash: str, now: datetime, *, forget_before: datetime) -> None:
    session.execute(delete(DirectorySubmissionRow).where(DirectorySubmissionRow.at < forget_before))
    session.add(DirectorySubmissionRow(ip_hash=ip_hash, at=now))


# -- helpers -------------------------------------------------------------------------------------------------


def _row(session: Session, business_id: int) -> DirectoryBusinessRow:
    row = session.get(DirectoryBusinessRow, business_id)
    if row is None:
        raise DecisionError(f"Unbekannter Eintrag {business_id}.")
    return row


def _decidable(session: Session, business_id: int, version_id: int) -> DirectoryBusinessRow:
    row = _row(session, business_id)
    if row.status not in ("pending", "expired"):
        raise DecisionError(f"Eintrag {business_id} wartet nicht auf eine Entscheidung.")
    if row.current_version_id != version_id:
        raise DecisionError(f"Eintrag {business_id} wurde inzwischen geändert; bitte neu laden.")
    return row


def _free_slug(session: Session, base: str) -> str:
    taken = set(session.scalars(select(DirectoryBusinessRow.slug).where(DirectoryBusinessRow.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _add_version(session: Session, business_id: int, business: Business, actor: str, now: datetime) -> int:
    version = DirectoryVersionRow(
        business_id=business_id, name=business.name, category=business.category, town=business.town,
        address=business.address, postcode=business.postcode, lat=business.lat, lon=business.lon,
        phone=business.phone, email=business.email, website=business.website,
        opening_notes=business.opening_notes, description=business.description,
        valid_until=business.valid_until, created_at=now, created_by=actor,
    )  # fmt: skip
    session.add(version)
    session.flush()
    session.add_all(
        DirectoryOfferRow(version_id=version.id, kind=o.kind, note=o.note, url=o.url, scheme=o.scheme)
        for o in business.offers
    )
    return version.id


def _offers_of(session: Session, version_ids: Iterable[int]) -> dict[int, tuple[Offer, ...]]:
    ids = list(version_ids)
    found: dict[int, list[Offer]] = {}
    for chunk in chunks(ids, 5000):
        query = (
            select(DirectoryOfferRow)
            .where(DirectoryOfferRow.version_id.in_(chunk))
            .order_by(DirectoryOfferRow.version_id, DirectoryOfferRow.id)
        )
        for offer in session.scalars(query):
            found.setdefault(offer.version_id, []).append(Offer(offer.kind, offer.note, offer.url, offer.scheme))
    return {key: tuple(value) for key, value in found.items()}


def _business(version: DirectoryVersionRow, offers: tuple[Offer, ...]) -> Business:
    return Business(
        name=version.name, category=version.category, town=version.town, address=version.address,
        postcode=version.postcode, lat=version.lat, lon=version.lon, phone=version.phone, email=version.email,
        website=version.website, opening_notes=version.opening_notes, description=version.description,
        valid_until=version.valid_until, offers=offers,
    )  # fmt: skip


def _version(session: Session, version_id: int | None) -> Business | None:
    if version_id is None:
        return None
    version = session.get(DirectoryVersionRow, version_id)
    return None if version is None else _business(version, _offers_of(session, [version_id]).get(version_id, ()))


def _view(session: Session, row: DirectoryBusinessRow) -> EntryView:
    current = _version(session, row.current_version_id)
    assert current is not None and row.current_version_id is not None
    approved = (
        current if row.approved_version_id == row.current_version_id else _version(session, row.approved_version_id)
    )
    return EntryView(
        id=row.id, slug=row.slug, status=row.status, origin=row.origin, current=current,
        current_version_id=row.current_version_id, approved=approved, approved_version_id=row.approved_version_id,
        created_at=row.created_at, updated_at=row.updated_at, last_confirmed_at=row.last_confirmed_at,
        submitter_email=row.submitter_email,
    )  # fmt: skip


def _detail(row: DirectoryBusinessRow, version_id: int | None) -> dict[str, Any]:
    return {"business_id": row.id, "version_id": version_id, "slug": row.slug, "status": row.status}


def rotate_edit_token(session: Session, business_id: int, new_hash: str) -> None:
    """A reminder mail carries a fresh private link (only hashes are stored, the old link cannot be re-sent)."""
    _row(session, business_id).edit_token_hash = new_hash
