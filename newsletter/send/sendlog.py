"""The send log: one row per (edition, subscriber), the memory that makes sends exactly-once.

States: pending → sending → sent | failed | skipped. A row is marked `sending`
before the message leaves and `sent` after the provider accepted it, so after a
crash only rows still `sending` are ambiguous — at most the in-flight window.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from newsletter import db

STATES = ("pending", "sending", "sent", "failed", "skipped")


@cache
def send_log() -> Any:
    """The table, declared on the shared metadata on first use (keeps SQLAlchemy out of --help)."""
    from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint

    return Table(
        "send_log",
        db.metadata(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("edition", String(10), nullable=False),
        Column("subscriber_id", Integer, nullable=False),
        Column("email", String(320), nullable=False),
        Column("state", String(10), nullable=False, default="pending"),
        Column("message_id", String(200)),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("edition", "subscriber_id", name="uq_send_log_edition_subscriber"),
        Index("ix_send_log_edition_state", "edition", "state"),
    )
