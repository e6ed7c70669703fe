"""``INSERT … ON CONFLICT DO NOTHING`` for SQLite and PostgreSQL, so concurrent writers never duplicate rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, table: Table, values: dict[str, Any], conflict: list[str]) -> int | None:
    """Insert one row unless ``conflict`` columns already exist; return the new primary key or None."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
        statement = pg.returning(*table.primary_key.columns)
    elif dialect == "sqlite":
        lite = sqlite.insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
        statement = lite.returning(*table.primary_key.columns)
    else:  # pragma: no cover - only the two supported backends
        raise NotImplementedError(f"unsupported database: {dialect}")
    row = session.execute(statement).first()
    return None if row is None else row[0]
