"""Writers to one SQLite file queue up in-process instead of sleep-polling in SQLite's busy handler.

SQLite has one writer at a time. When a second connection wants to write, SQLite's default busy handler makes it
sleep and retry (1, 2, 5 … 25, 50, 100 ms): under load the unlucky waiter keeps losing to fresh writers and
sleeps for hundreds of milliseconds while the database is idle between commits. Every connection made by
:func:`store.db.make_engine` for a database file is a :class:`SerializedConnection`: before the statement that
opens a write transaction (Python's sqlite3 opens it right before the first INSERT, UPDATE, DELETE or REPLACE)
it takes the file's process-wide lock, and gives it back when that transaction ends (commit, rollback, close).
Threads of one process then take turns in arrival order with no sleeping; other processes on the same file
(several web workers, a harvest) still meet in SQLite's own locking, as before.

Never worse than without it: a lock not obtained within the connection's busy timeout is simply not held,
and SQLite's own timeout applies.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, Self

_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def lock_for(path: str) -> threading.Lock:
    """The process-wide write lock of one database file (by its real path)."""
    key = os.path.realpath(path)
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _opens_write(sql: str) -> bool:
    return sql.lstrip()[:7].upper().startswith(_WRITE_VERBS)


class SerializedConnection(sqlite3.Connection):
    """A sqlite3 connection whose write transactions take the database file's in-process lock first."""

    _write_lock: threading.Lock | None = None
    _holding = False
    _wait_seconds = 30.0

    def attach_lock(self, lock: threading.Lock, wait_seconds: float) -> None:
        self._write_lock, self._wait_seconds = lock, wait_seconds

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory or SerializedCursor)

    # the C shortcuts would run the statement without our cursor's execute
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        return self.cursor().executemany(sql, parameters)

    def before_statement(self, sql: str) -> None:
        if self._write_lock is not None and not self._holding and not self.in_transaction and _opens_write(sql):
            self._holding = self._write_lock.acquire(timeout=self._wait_seconds)

    def after_statement(self) -> None:
        if self._holding and not self.in_transaction:  # autocommit write, or the statement failed
            self._release()

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            assert self._write_lock is not None
            self._write_lock.release()

    def commit(self) -> None:
        self._end(super().commit)

    def rollback(self) -> None:
        self._end(super().rollback)

    def _end(self, finish: Callable[[], None]) -> None:
        try:
            finish()
        finally:
            if not self.in_transaction:
                self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()


class SerializedCursor(sqlite3.Cursor):
    connection: SerializedConnection

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        self.connection.before_statement(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.after_statement()

    def executemany(self, sql: str, parameters: Any, /) -> Self:
        self.connection.before_statement(sql)
        try:
            return super().executemany(sql, parameters)
        finally:
            self.connection.after_statement()
