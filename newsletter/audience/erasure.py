"""Erasing people: `forget` on request (GDPR) and the purge of never-confirmed signups.

The only two ways anything about a subscriber is ever deleted. Both also erase
every row of any table with a `subscriber_id` column (the send log, bounce
counts), found in the database itself because the owning package may not be
imported in this process.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, bindparam, delete, inspect, select, text

from newsletter import schema
from newsletter.audience.addresses import parse_address, tombstone_hash
from newsletter.audience.records import PERSON_COLUMN
from newsletter.db import insert_ignoring_duplicates


def forget(engine: Engine, email: str) -> bool:
    """Erase a person (GDPR): their row, their events, and every row of any table
    with a `subscriber_id` column that names them (the send log keeps addresses),
    keeping only a hashed tombstone so no later import re-adds them. True when
    there was a subscriber to erase; the tombstone is written either way.

    Tables are found in the database itself, not in the metadata, because the
    package that owns them may not be imported in this process.
    """
    address = parse_address(email)
    table = schema.subscribers
    tombstones = schema.subscriber_tombstones
    with engine.begin() as connection:
        connection.execute(
            insert_ignoring_duplicates(connection, tombstones, "email_hash"),
            {"email_hash": tombstone_hash(address.key), "forgotten": datetime.now(UTC)},
        )
        subscriber_id = connection.scalar(
            select(table.c.id).where(table.c.email_key == address.key)
        )
        if subscriber_id is None:
            return False
        erase_related(connection, [subscriber_id])
        connection.execute(delete(table).where(table.c.id == subscriber_id))
    return True


def purge_pending(engine: Engine, older_than: datetime) -> int:
    """Delete signups that were never confirmed and began before `older_than`; how many.

    Only rows still `pending` whose history holds nothing but `pending` go: the
    person never confirmed, was never sent the newsletter, and keeping their
    address would keep data nobody agreed to. A pending signup that bounced or
    was complained about is no longer pending and stays (it suppresses the
    address). Nothing is recorded: there is nobody left to record it about. No
    tombstone either: a forgotten address never becomes a pending row (its
    confirmation link carries the address instead), so none is lost here.
    """
    table = schema.subscribers
    events = schema.subscriber_events
    confirmed_once = (
        select(events.c.id)
        .where(events.c.subscriber_id == table.c.id, events.c.status != "pending")
        .exists()
    )
    # One DELETE decides row by row, so a confirmation landing meanwhile wins.
    statement = (
        delete(table)
        .where(table.c.status == "pending", table.c.created < older_than, ~confirmed_once)
        .returning(table.c.id)
    )
    with engine.begin() as connection:
        ids = list(connection.scalars(statement))
        for start in range(0, len(ids), 500):
            erase_related(connection, ids[start : start + 500])
    return len(ids)


def erase_related(connection: Connection, ids: list[int]) -> None:
    """Delete every row of any table with a `subscriber_id` column naming one of `ids`.

    Tables are found in the database itself, not in the metadata, because the
    package that owns them may not be imported in this process.
    """
    if not ids:
        return
    inspector = inspect(connection)
    preparer = connection.dialect.identifier_preparer
    for name in inspector.get_table_names():
        if name == schema.subscribers.name:
            continue
        if any(column["name"] == PERSON_COLUMN for column in inspector.get_columns(name)):
            statement = text(
                f"DELETE FROM {preparer.quote(name)} WHERE {PERSON_COLUMN} IN :ids"
            ).bindparams(bindparam("ids", expanding=True))
            connection.execute(statement, {"ids": ids})
