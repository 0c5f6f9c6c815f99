"""Forward-only schema migrations: one small module per version, applied in order.

Why not Alembic: the schema is a handful of tables (`newsletter.schema`, one
`MetaData`), it must upgrade itself on first use (a cron job has nobody
to run `alembic upgrade head`), and it must work the same on SQLite and PostgreSQL.
An ordered list of files such as `v0002_add_locale.py`, each with an
`upgrade(connection)` function, does that in one screen of code (listmonk does the
same) and keeps Alembic's env.py/ini machinery out of a small tool.

How the pieces fit:
- A fresh database gets every declared table at its current shape from
  `metadata.create_all` and is stamped with the newest version: migrations
  describe how *old* databases catch up, never how new ones are built.
- A database with tables but no version table predates versioning: version 1.
- Otherwise every migration newer than the stored version runs, in order, each
  recorded in `schema_version` in the same transaction, and then `create_all`
  adds tables that are declared but missing (e.g. a package's new table).

A migration must tolerate a table that does not exist yet (its package may never
have been used on this database): `add_column` below does the checking.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    func,
    inspect,
    select,
    text,
)

VERSION_TABLE = "schema_version"
_MODULE_NAME = re.compile(r"^v(\d{4})_(\w+)$")
# An arbitrary constant: the key of the PostgreSQL advisory lock held while migrating.
_PG_LOCK_KEY = 7_310_412_655


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    upgrade: Callable[[Connection], None]


def discover() -> list[Migration]:
    """The migrations in this package, ordered by the version in their file name."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = _MODULE_NAME.match(info.name)
        if not match:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(Migration(int(match.group(1)), match.group(2), module.upgrade))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1, 2, 3… without gaps: {versions}")
    return found


def version_table(metadata: MetaData) -> Table:
    """`schema_version`: one row per applied migration (the newest is the version)."""
    if VERSION_TABLE in metadata.tables:
        return metadata.tables[VERSION_TABLE]

    return Table(
        VERSION_TABLE,
        metadata,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("name", String(100), nullable=False),
        Column("applied", DateTime(timezone=True), nullable=False),
    )


def current_version(bind: Engine, metadata: MetaData) -> int | None:
    """The stored schema version; None for a database never touched by `upgrade`."""
    table = version_table(metadata)
    if not inspect(bind).has_table(VERSION_TABLE):
        return None
    with bind.connect() as connection:
        return connection.scalar(select(func.max(table.c.version)))


def upgrade(bind: Engine, metadata: MetaData, migrations: list[Migration] | None = None) -> int:
    """Migrate `bind` forward and create missing tables; returns the version reached."""
    steps = discover() if migrations is None else migrations
    head = steps[-1].version if steps else 0
    table = version_table(metadata)
    if _up_to_date(bind, metadata, table, head):
        return head
    with _exclusive(bind) as connection:
        names = set(inspect(connection).get_table_names())
        stored = None
        if VERSION_TABLE in names:
            stored = connection.scalar(select(func.max(table.c.version)))
        else:
            table.create(connection)
        if stored is None:
            if not names & (set(metadata.tables) - {VERSION_TABLE}):
                metadata.create_all(connection, checkfirst=True)
                _record(connection, table, steps)
                return head
            stored = min(1, head)  # our tables, no versions: made before versioning
            _record(connection, table, steps[:stored])
        if stored > head:
            raise RuntimeError(
                f"the database is at schema version {stored} but this program only knows "
                f"{head}: upgrade newsletter"
            )
        for step in steps[stored:]:
            step.upgrade(connection)
            _record(connection, table, [step])
        metadata.create_all(connection, checkfirst=True)
    return head


def _up_to_date(bind: Engine, metadata: MetaData, table: Table, head: int) -> bool:
    """The usual case, found by reading only: at `head` with every declared table present.

    It needs no write lock, so a reader such as `status` is not held up (or failed)
    by another process writing for a long time.
    """
    with bind.connect() as connection:
        names = set(inspect(connection).get_table_names())
        if not set(metadata.tables) <= names:
            return False
        return connection.scalar(select(func.max(table.c.version))) == head


def _record(connection: Connection, table: Table, steps: list[Migration]) -> None:
    if steps:
        now = datetime.now(UTC)
        connection.execute(
            table.insert(),
            [{"version": step.version, "name": step.name, "applied": now} for step in steps],
        )


@contextmanager
def _exclusive(bind: Engine) -> Iterator[Connection]:
    """One connection in a transaction that no other process can migrate concurrently."""
    if bind.dialect.name == "sqlite":
        # pysqlite would begin lazily (and not at all for DDL); take the write lock now.
        with bind.connect() as plain:
            connection = plain.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")
        return

    with bind.begin() as connection:
        if bind.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        yield connection


def add_column(connection: Connection, table_name: str, column_name: str, ddl: str) -> None:
    """`ALTER TABLE t ADD COLUMN c <ddl>` unless the table is missing or has the column.

    `ddl` is the type and constraints, e.g. `VARCHAR(20) NOT NULL DEFAULT ''`, in
    SQL that SQLite and PostgreSQL both accept.
    """
    inspector = inspect(connection)
    if not inspector.has_table(table_name):
        return
    if column_name in {column["name"] for column in inspector.get_columns(table_name)}:
        return
    connection.exec_driver_sql(f"ALTER TABLE {table_name} ADD COLUMN {column_name} {ddl}")
