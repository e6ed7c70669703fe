"""Set-based statement helpers: ``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL (so concurrent
writers never duplicate rows), Core tables of models, and batches for ``IN (…)`` lists."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def table_of(model: Any) -> Table:
    """The Core table of an ORM model (typed, for set-based statements)."""
    table: Table = model.__table__
    return table


def insert_ignore(session: Session, table: Table, values: dict[str, Any], conflict: list[str]) -> int | None:
    """Insert one row unless ``conflict`` columns already exist; return the new primary key or None."""
    rows = insert_ignore_many(session, table, [values], conflict, returning=list(table.primary_key.columns))
    return rows[0][0] if rows else None


def insert_ignore_many(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    conflict: list[str],
    *,
    returning: Sequence[Column[Any]] = (),
) -> list[tuple[Any, ...]]:
    """Insert many rows in one statement, skipping those whose ``conflict`` key exists; return the
    ``returning`` columns of the rows actually inserted."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=conflict)
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict)
    else:  # pragma: no cover - only the two supported backends
        raise NotImplementedError(f"unsupported database: {dialect}")
    # executemany with a cached statement ("insertmanyvalues" batches it, RETURNING included)
    if not returning:
        session.execute(statement, list(rows))
        return []
    return [tuple(row) for row in session.execute(statement.returning(*returning), list(rows))]


def chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """``values`` in slices of ``size``: keeps ``IN (…)`` lists under the databases' parameter limits."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
