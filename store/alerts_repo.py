"""Which broken sources staff still need to hear about, and which recovered (once per distinct error)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.ops_schema import SourceAlertRow
from store.schema import SourceRow


@dataclass(frozen=True, slots=True)
class Broken:
    source_id: str
    name: str
    url: str
    error_code: str
    message: str
    failures: int
    last_success_at: datetime | None


def broken_sources(session: Session, *, min_failures: int) -> list[Broken]:
    """Enabled sources failing at least ``min_failures`` times in a row, newest problem first."""
    query = (
        select(SourceRow)
        .where(SourceRow.enabled.is_(True), SourceRow.last_status == "error")
        .where(SourceRow.consecutive_failures >= min_failures)
        .order_by(SourceRow.id)
    )
    return [
        Broken(
            row.id,
            row.name,
            row.url,
            row.last_error_code or "fetch_error",
            row.last_error_message or "",
            row.consecutive_failures,
            row.last_success_at,
        )
        for row in session.scalars(query)
    ]


def unreported(session: Session, broken: Sequence[Broken]) -> list[Broken]:
    """The broken sources whose current error staff have not been told about yet."""
    told = {row.source_id: row.error_code for row in session.scalars(select(SourceAlertRow))}
    return [item for item in broken if told.get(item.source_id) != item.error_code]


def mark_reported(session: Session, reported: Sequence[Broken], now: datetime) -> None:
    for item in reported:
        row = session.get(SourceAlertRow, item.source_id)
        if row is None:
            session.add(
                SourceAlertRow(
                    source_id=item.source_id, error_code=item.error_code, message=item.message, notified_at=now
                )
            )
        else:
            row.error_code, row.message, row.notified_at = item.error_code, item.message, now


def recovered(session: Session) -> list[str]:
    """Sources staff were told about that work again; their notice is cleared (a new error is news again)."""
    query = (
        select(SourceAlertRow.source_id)
        .join(SourceRow, SourceRow.id == SourceAlertRow.source_id)
        .where(SourceRow.last_status != "error")
    )
    ids = list(session.scalars(query))
    if ids:
        session.execute(delete(SourceAlertRow).where(SourceAlertRow.source_id.in_(ids)))
    return ids
