"""Version 1: the first versioned schema (subscribers, events, tombstones, and the
tables of the other packages as first declared). Nothing to change: a database
either is created at this shape or predates versioning and already has it."""

from __future__ import annotations

from sqlalchemy import Connection


def upgrade(connection: Connection) -> None:
    del connection
