"""The audience's tables on the shared metadata of `newsletter.db`.

`subscribers.email_key` carries the uniqueness (see `addresses`); an index on
(status, id) serves both the per-status counts and the keyset walk over active
subscribers that a send does. Events are never updated, only appended; they go
away only with their subscriber, through `forget`. Tombstones keep a salted hash
of a forgotten address so an old CSV cannot bring the person back.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from newsletter.db import metadata

_metadata = metadata()

subscribers = Table(
    "subscribers",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("email_key", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
    Column("attributes", JSON, nullable=True),
    Index("ix_subscribers_status_id", "status", "id"),
    # Never reuse the id of a forgotten subscriber: old unsubscribe links carry ids.
    sqlite_autoincrement=True,
)

subscriber_events = Table(
    "subscriber_events",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "subscriber_id",
        Integer,
        ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("source", String(32), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_subscriber_events_subscriber", "subscriber_id", "id"),
)

subscriber_tombstones = Table(
    "subscriber_tombstones",
    _metadata,
    Column("email_hash", String(64), primary_key=True),
    Column("forgotten", DateTime(timezone=True), nullable=False),
)
