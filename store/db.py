"""Engine creation (SQLite WAL + busy timeout, PostgreSQL), schema upgrade and the outdated-schema check."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from store.sqlite_writes import SerializedConnection, lock_for

MIGRATIONS = Path(__file__).with_name("migrations")


class SchemaError(RuntimeError):
    """The database schema is missing or older than this code: run ``rubrik init``."""


_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()
SQLITE_BUSY_SECONDS = 30  # how long a writer waits for another one (SQLite busy timeout, in-process write lock)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout, its folder is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # a pool as large as the web server's thread pool: an overflow connection would be opened (and its
        # pragmas run) and closed again for every request under load
        on_disk = parsed.database not in (None, "", ":memory:")
        pooled = {"pool_size": 20, "max_overflow": 20} if on_disk else {}
        connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_SECONDS}
        if on_disk:  # writers of this process take turns instead of sleep-polling (store/sqlite_writes.py)
            connect_args["factory"] = SerializedConnection
        engine = create_engine(url, connect_args=connect_args, **pooled)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        if parsed.drivername == "postgresql":  # plain URL: use psycopg 3, which we ship
            url = str(parsed.set(drivername="postgresql+psycopg"))
        # pool_size as large as the web server's busy threads: an overflow connection is opened for one request
        # and closed again, and each opening costs PostgreSQL a new backend process (idle ones cost nothing much)
        engine = create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20)
    _ENGINES.add(engine)
    return engine


def dispose_all_engines() -> None:
    """Close every pooled connection of every engine still alive (engines stay usable and reconnect).

    For long-lived processes that build many short-lived engines, e.g. a test session: PostgreSQL's
    ``max_connections`` is shared by everyone on the server.
    """
    for engine in list(_ENGINES):
        engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, SerializedConnection):
        database = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
        if database:
            dbapi_connection.attach_lock(lock_for(database), SQLITE_BUSY_SECONDS)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.close()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (before, after)."""
    before = current_revision(engine)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, head_revision()


def check_schema(engine: Engine) -> None:
    """Refuse to work on a missing or outdated schema, with a message that says what to do."""
    current, head = current_revision(engine), head_revision()
    if current is None:
        raise SchemaError(
            f"Die Datenbank {engine.url.render_as_string(hide_password=True)} ist nicht eingerichtet. "
            "Bitte zuerst `rubrik init` ausführen."
        )
    if current != head:
        raise SchemaError(
            f"Das Datenbankschema ist veraltet (Stand {current}, benötigt {head}). "
            "Bitte `rubrik init` ausführen, um es zu aktualisieren."
        )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    with factory() as session, session.begin():
        yield session


def is_transient_db_error(error: BaseException) -> bool:
    """A database error worth one more try later (connection lost, server restarting, lock timeout) — not a
    constraint violation or a bug."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError)
