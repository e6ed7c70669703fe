"""The e-mail intake's memory: which messages were processed (never twice) and the held list.

A message from an allowed sender becomes an item of its mailbox source (identity ``mail:<key>``) through
the harvest's own :func:`items_repo.record_entries`; a message from anyone else is only kept here with
``status="held"`` — staff can read it, nothing publishes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from process.model import Entry
from store import items_repo
from store.entries_schema import MailMessageRow
from store.records import Counts
from store.schema import ItemRow
from store.upsert import chunks, insert_ignore_many, table_of


@dataclass(frozen=True, slots=True)
class MailRecord:
    """One processed message; ``entry`` is set for allowed senders (the pending item), None when held."""

    message_key: str
    message_id: str
    sender: str
    subject: str
    received_at: datetime | None
    text: str
    attachments: tuple[dict[str, Any], ...]
    entry: Entry | None


@dataclass(frozen=True, slots=True)
class HeldMail:
    id: int
    source_id: str
    sender: str
    subject: str
    received_at: datetime | None
    text: str
    attachments: tuple[dict[str, Any], ...]
    processed_at: datetime


def known_keys(session: Session, source_id: str, keys: Sequence[str]) -> set[str]:
    """The keys among ``keys`` already processed for this mailbox (one indexed query per 500)."""
    found: set[str] = set()
    for chunk in chunks(keys):
        query = select(MailMessageRow.message_key).where(
            MailMessageRow.source_id == source_id, MailMessageRow.message_key.in_(list(chunk))
        )
        found.update(session.scalars(query))
    return found


def record_mail(session: Session, source_id: str, records: Sequence[MailRecord], now: datetime) -> tuple[Counts, int]:
    """Store processed messages: items for allowed senders, held rows for the rest. Returns (item counts,
    held count). Idempotent: a key already stored is skipped (``ON CONFLICT DO NOTHING``)."""
    entries = [record.entry for record in records if record.entry is not None]
    counts = items_repo.record_entries(session, source_id, entries, now) if entries else Counts()
    item_ids = _item_ids(session, source_id, [entry.identity for entry in entries])
    rows = [_row(source_id, record, item_ids, now) for record in records]
    inserted = insert_ignore_many(
        session, table_of(MailMessageRow), rows, ["source_id", "message_key"],
        returning=[table_of(MailMessageRow).c.status],
    )  # fmt: skip
    return counts, sum(1 for (status,) in inserted if status == "held")


def _item_ids(session: Session, source_id: str, identities: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(identities):
        query = select(ItemRow.identity, ItemRow.id).where(ItemRow.source_id == source_id, ItemRow.identity.in_(chunk))
        found.update({identity: item_id for identity, item_id in session.execute(query)})
    return found


def _row(source_id: str, record: MailRecord, item_ids: dict[str, int], now: datetime) -> dict[str, Any]:
    held = record.entry is None
    return {
        "source_id": source_id, "message_key": record.message_key, "message_id": record.message_id[:2000],
        "status": "held" if held else "item", "sender": record.sender[:320], "subject": record.subject,
        "received_at": record.received_at, "text": record.text if held else "",
        "attachments": list(record.attachments), "processed_at": now,
        "item_id": None if held else item_ids.get(record.entry.identity if record.entry else ""),
    }  # fmt: skip


def held_messages(session: Session, *, limit: int = 200) -> list[HeldMail]:
    """Messages from unknown senders, newest first (never published)."""
    query = (
        select(MailMessageRow)
        .where(MailMessageRow.status == "held")
        .order_by(MailMessageRow.processed_at.desc(), MailMessageRow.id.desc())
        .limit(limit)
    )
    return [
        HeldMail(
            row.id,
            row.source_id,
            row.sender,
            row.subject,
            row.received_at,
            row.text,
            tuple(row.attachments or ()),
            row.processed_at,
        )
        for row in session.scalars(query)
    ]


def count_held(session: Session) -> int:
    return session.scalar(select(func.count()).where(MailMessageRow.status == "held")) or 0
