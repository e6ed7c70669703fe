"""Contacts staff maintain: the contact block and "Wichtige Kontakte" (validated in process/contacts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from process.contacts import Contact
from store import items_repo
from store.entries_schema import ContactRow

_FIELDS = ("section", "institution", "topic", "phone", "phone_e164", "email", "web", "messenger", "hours", "position")


@dataclass(frozen=True, slots=True)
class StoredContact:
    id: int
    contact: Contact
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, slots=True)
class Contacts:
    """What the public page shows: the contact block and the "Wichtige Kontakte" list, in staff's order."""

    block: tuple[Contact, ...]
    important: tuple[Contact, ...]

    @property
    def empty(self) -> bool:
        return not self.block and not self.important


def list_contacts(session: Session, section: str | None = None) -> list[StoredContact]:
    query = select(ContactRow).order_by(ContactRow.section, ContactRow.position, ContactRow.institution, ContactRow.id)
    if section is not None:
        query = query.where(ContactRow.section == section)
    return [StoredContact(row.id, _contact(row), row.updated_at, row.updated_by) for row in session.scalars(query)]


def contacts(session: Session) -> Contacts:
    """The read function for publishing."""
    stored = [item.contact for item in list_contacts(session)]
    return Contacts(
        block=tuple(c for c in stored if c.section == "block"),
        important=tuple(c for c in stored if c.section == "wichtig"),
    )


def get_contact(session: Session, contact_id: int) -> StoredContact | None:
    row = session.get(ContactRow, contact_id)
    return None if row is None else StoredContact(row.id, _contact(row), row.updated_at, row.updated_by)


def save_contact(
    session: Session, contact: Contact, *, actor: str, now: datetime, contact_id: int | None = None
) -> int:
    """Add (``contact_id`` None) or change a contact; audited with the values."""
    row = session.get(ContactRow, contact_id) if contact_id is not None else None
    if contact_id is not None and row is None:
        raise items_repo.DecisionError(f"Unbekannter Kontakt {contact_id}.")
    if row is None:
        row = ContactRow(updated_at=now, updated_by=actor, **{name: getattr(contact, name) for name in _FIELDS})
        session.add(row)
    else:
        for name in _FIELDS:
            setattr(row, name, getattr(contact, name))
        row.updated_at, row.updated_by = now, actor
    session.flush()
    detail = {"contact_id": row.id, **{name: getattr(contact, name) for name in _FIELDS}}
    items_repo.audit(session, actor=actor, action="contact_save", now=now, detail=detail)
    return row.id


def delete_contact(session: Session, contact_id: int, *, actor: str, now: datetime) -> bool:
    deleted = _rowcount(session.execute(delete(ContactRow).where(ContactRow.id == contact_id)))
    if deleted:
        items_repo.audit(session, actor=actor, action="contact_delete", now=now, detail={"contact_id": contact_id})
    return bool(deleted)


def import_contacts(
    session: Session, rows: Sequence[Contact], *, actor: str, now: datetime, replace: bool = False
) -> dict[str, int]:
    """Import validated contacts: a row with the same section + institution + topic is updated, others are
    added; ``replace`` first removes every contact of the sections the import names."""
    counts = {"added": 0, "updated": 0, "removed": 0}
    if replace:
        sections = sorted({row.section for row in rows})
        result = session.execute(delete(ContactRow).where(ContactRow.section.in_(sections)))
        counts["removed"] = _rowcount(result)
    existing = {(c.contact.section, c.contact.institution, c.contact.topic): c.id for c in list_contacts(session)}
    for contact in rows:
        key = (contact.section, contact.institution, contact.topic)
        found = existing.get(key)
        existing[key] = save_contact(session, contact, actor=actor, now=now, contact_id=found)
        counts["updated" if found else "added"] += 1
    return counts


def _contact(row: ContactRow) -> Contact:
    return Contact(**{name: getattr(row, name) for name in _FIELDS})


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
