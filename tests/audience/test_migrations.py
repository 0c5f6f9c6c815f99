"""The schema upgrades itself: fresh databases, old databases, and tables declared later."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect, select, text

from newsletter import db, schema
from newsletter.audience.store import SubscriberStore
from newsletter.migrations import (
    VERSION_TABLE,
    Migration,
    add_column,
    current_version,
    discover,
    upgrade,
)


def test_a_fresh_database_is_created_and_stamped_with_the_newest_version(
    database_url: str,
) -> None:
    store = SubscriberStore(db.ready(database_url))
    names = set(inspect(store.engine).get_table_names())
    assert {"subscribers", "subscriber_events", "subscriber_tombstones", VERSION_TABLE} <= names
    assert current_version(store.engine, schema.metadata) == discover()[-1].version


def test_tables_declared_later_by_another_package_are_still_created(database_url: str) -> None:
    bind = db.ready(database_url)
    late = Table("late_package_cache", schema.metadata, Column("id", Integer, primary_key=True))
    try:
        db.ensure_schema(bind)
        assert inspect(bind).has_table("late_package_cache")
    finally:
        schema.metadata.remove(late)


def _v2(connection) -> None:  # type: ignore[no-untyped-def]
    add_column(connection, "things", "colour", "VARCHAR(20) NOT NULL DEFAULT 'blue'")


def _declare(metadata: MetaData, *, with_colour: bool) -> Table:
    columns = [Column("id", Integer, primary_key=True), Column("label", String(20))]
    if with_colour:
        columns.append(Column("colour", String(20), nullable=False, server_default="blue"))
    return Table("things", metadata, *columns)


MIGRATIONS_V1 = [Migration(1, "baseline", lambda connection: None)]
MIGRATIONS_V2 = [*MIGRATIONS_V1, Migration(2, "colour", _v2)]


def test_an_old_database_is_migrated_forward_once_and_keeps_its_rows(database_url: str) -> None:
    bind = db.engine(database_url)
    old = MetaData()
    _declare(old, with_colour=False)
    assert upgrade(bind, old, MIGRATIONS_V1) == 1
    with bind.begin() as connection:
        connection.execute(text("INSERT INTO things (id, label) VALUES (1, 'kept')"))

    new = MetaData()
    things = _declare(new, with_colour=True)
    assert upgrade(bind, new, MIGRATIONS_V2) == 2
    assert upgrade(bind, new, MIGRATIONS_V2) == 2  # idempotent
    with bind.connect() as connection:
        assert connection.execute(select(things.c.label, things.c.colour)).all() == [
            ("kept", "blue")
        ]
        versions = connection.execute(text(f"SELECT version, name FROM {VERSION_TABLE}")).all()
    assert sorted(versions) == [(1, "baseline"), (2, "colour")]


def test_a_database_from_before_versioning_counts_as_version_one(database_url: str) -> None:
    bind = db.engine(database_url)
    old = MetaData()
    _declare(old, with_colour=False)
    old.create_all(bind)  # what the unversioned skeleton did
    new = MetaData()
    _declare(new, with_colour=True)
    upgrade(bind, new, MIGRATIONS_V2)
    assert "colour" in {column["name"] for column in inspect(bind).get_columns("things")}
    assert current_version(bind, new) == 2


def test_a_fresh_database_skips_migrations_and_gets_the_current_shape(database_url: str) -> None:
    bind = db.engine(database_url)
    calls = []
    steps = [*MIGRATIONS_V1, Migration(2, "colour", lambda connection: calls.append(2))]
    new = MetaData()
    _declare(new, with_colour=True)
    assert upgrade(bind, new, steps) == 2
    assert calls == []
    assert "colour" in {column["name"] for column in inspect(bind).get_columns("things")}


def test_a_newer_database_than_the_program_is_refused(database_url: str) -> None:
    bind = db.engine(database_url)
    metadata = MetaData()
    _declare(metadata, with_colour=True)
    upgrade(bind, metadata, MIGRATIONS_V2)
    with pytest.raises(RuntimeError, match="upgrade newsletter"):
        upgrade(bind, metadata, MIGRATIONS_V1)


def test_migration_files_are_numbered_without_gaps() -> None:
    versions = [migration.version for migration in discover()]
    assert versions == list(range(1, len(versions) + 1))
    assert versions[0] == 1
