"""Writers to one SQLite file take turns on an in-process lock (store/sqlite_writes.py), readers never wait."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from store.db import make_engine
from store.sqlite_writes import SerializedConnection, lock_for


def connect(path: Path, wait: float = 5.0) -> SerializedConnection:
    connection = sqlite3.connect(path, timeout=wait, factory=SerializedConnection, check_same_thread=False)
    assert isinstance(connection, SerializedConnection)
    connection.attach_lock(lock_for(str(path)), wait)
    return connection


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT)")
    return path


def test_the_lock_is_held_for_exactly_the_write_transaction(db: Path) -> None:
    lock = lock_for(str(db))
    one = connect(db)
    one.execute("SELECT * FROM t").fetchall()
    assert not lock.locked(), "a read takes no lock"
    one.execute("INSERT INTO t (v) VALUES ('a')")
    assert lock.locked() and one.in_transaction
    one.execute("UPDATE t SET v = 'b'")  # same transaction: no second acquire (it would hang)
    one.commit()
    assert not lock.locked()
    one.execute("DELETE FROM t")
    one.rollback()
    assert not lock.locked()
    with pytest.raises(sqlite3.IntegrityError):
        one.execute("INSERT INTO t (n, v) VALUES (1, 'x')")
        one.execute("INSERT INTO t (n, v) VALUES (1, 'y')")
    assert lock.locked(), "a failed statement inside an open transaction keeps it (and the lock)"
    one.close()
    assert not lock.locked(), "closing a connection mid-transaction frees the lock"


def test_a_failed_first_statement_releases_the_lock(db: Path) -> None:
    one = connect(db)
    with pytest.raises(sqlite3.OperationalError):
        one.execute("INSERT INTO missing VALUES (1)")
    assert not one.in_transaction and not lock_for(str(db)).locked()
    one.close()


def test_the_second_writer_waits_on_the_lock_and_goes_as_soon_as_the_first_commits(db: Path) -> None:
    first, second = connect(db), connect(db)
    first.execute("INSERT INTO t (v) VALUES ('first')")
    done: dict[str, float] = {}

    def write() -> None:
        second.execute("INSERT INTO t (v) VALUES ('second')")
        done["wrote"] = time.monotonic()
        second.commit()

    worker = threading.Thread(target=write)
    worker.start()
    time.sleep(0.3)
    assert "wrote" not in done, "the second writer must wait while the first transaction is open"
    # meanwhile a third connection still reads (WAL: readers never wait for the writer)
    reader = connect(db)
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (0,)
    committed = time.monotonic()
    first.commit()
    worker.join(5)
    # woken by the lock, not by SQLite's busy handler sleeping in steps of up to 100 ms
    assert done["wrote"] - committed < 0.05
    assert reader.execute("SELECT v FROM t ORDER BY n").fetchall() == [("first",), ("second",)]
    for connection in (first, second, reader):
        connection.close()


def test_a_lock_not_obtained_in_time_falls_back_to_sqlites_own_waiting(db: Path) -> None:
    lock = lock_for(str(db))
    lock.acquire()
    try:
        one = connect(db, wait=0.2)
        started = time.monotonic()
        one.execute("INSERT INTO t (v) VALUES ('anyway')")  # no other SQLite writer: it just goes ahead
        one.commit()
        assert 0.15 < time.monotonic() - started < 2
        assert lock.locked(), "someone else's lock is never released by us"
        one.close()
    finally:
        lock.release()


def test_engines_of_database_files_use_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'e.db'}")
    with engine.begin() as connection:
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, SerializedConnection)
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        assert lock_for(str(tmp_path / "e.db")).locked()
    assert not lock_for(str(tmp_path / "e.db")).locked()
    engine.dispose()
    memory = make_engine("sqlite://")
    with memory.connect() as connection:
        assert not isinstance(connection.connection.dbapi_connection, SerializedConnection)
    memory.dispose()
