"""The one database: an engine from a URL, the schema brought up to date once per process.

The tables are declared in `newsletter.schema`; `ready(url)` is what an edge (a CLI
command, the web app, the scheduler) calls to get an engine whose schema is current.
The stores below (`SubscriberStore`, `SendLog`, …) take that engine and never
migrate anything themselves.
"""

from __future__ import annotations

import weakref
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

#: Seconds a SQLite connection waits for another process's write lock before giving up;
#: `?timeout=N` on the database URL sets another.
SQLITE_BUSY_TIMEOUT = 30.0


@cache
def engine(url: str) -> Engine:
    """One engine per URL per process; SQLite gets WAL, foreign keys and a busy timeout.

    WAL lets the web app record unsubscribes while a send reads the list, and the
    busy timeout makes concurrent writers wait instead of failing (`?timeout=N` in
    the URL changes it from SQLITE_BUSY_TIMEOUT).
    """
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        from pathlib import Path

        path = url.split(":///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        timeout = sqlite_busy_timeout(url)
        made = create_engine(url, connect_args={"timeout": timeout})

        @event.listens_for(made, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            _wal(cursor, timeout)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return made
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_pre_ping=True)


def sqlite_busy_timeout(url: str) -> float:
    """The busy timeout of a SQLite URL: its `?timeout=` or SQLITE_BUSY_TIMEOUT."""
    from sqlalchemy.engine import make_url

    value = make_url(url).query.get("timeout")
    try:
        return float(value) if isinstance(value, str) else SQLITE_BUSY_TIMEOUT
    except ValueError:
        return SQLITE_BUSY_TIMEOUT


def _wal(cursor: Any, timeout: float) -> None:
    """Switch to WAL. The first switch of a new file needs a lock that the busy timeout
    does not wait for, so two processes opening a fresh database at once retry here."""
    import sqlite3
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def ready(url: str) -> Engine:
    """The engine for `url` with its schema up to date (see `ensure_schema`)."""
    bind = engine(url)
    ensure_schema(bind)
    return bind


def ensure_schema(bind: Engine) -> None:
    """Bring the database up to date: run pending migrations, then create missing tables.

    Runs once per process per engine (again only when a table joined
    `schema.metadata` since, as a test's extra table does). Safe from several
    processes at once: the work happens under a database-wide lock (`BEGIN
    IMMEDIATE` on SQLite, an advisory lock on PostgreSQL).
    """
    from newsletter import schema
    from newsletter.migrations import upgrade

    declared = frozenset(schema.metadata.tables)
    if _ensured.get(bind) == declared:
        return
    upgrade(bind, schema.metadata)
    _ensured[bind] = declared


_ensured: weakref.WeakKeyDictionary[Engine, frozenset[str]] = weakref.WeakKeyDictionary()


def insert_ignoring_duplicates(connection: Any, table: Any, *index_elements: str) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING`: the unique index, not a prior SELECT, decides races."""
    from sqlalchemy.dialects import postgresql, sqlite

    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(index_elements))
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(index_elements))


def error_reason(exc: BaseException) -> str:
    """The driver's own first line: SQLAlchemy's wrapper adds a page of SQL and a URL.

    Never empty (an exception without a message gives its type's name)."""
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


def describe_error(exc: BaseException, url: str) -> str:
    """One line for a user: which database, and what went wrong with it.

    A lock held past the busy timeout says so, because "database is locked" alone
    reads like damage; it is another process (a long send, a migration, a backup).
    """
    shown = redacted_url(url)
    reason = error_reason(exc)
    if "database is locked" in reason and url.startswith("sqlite"):
        waited = f"{sqlite_busy_timeout(url):g}"
        return (
            f"database {shown} is locked by another process (waited {waited} s); "
            "try again when it is done"
        )
    return f"database {shown}: {reason}"


def redacted_url(url: str) -> str:
    """`url` without its password, for messages; what follows the last @ if it won't parse."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return url.split("@")[-1]
