"""Version 4: `brief_reply_cache`, the model replies a re-draft reuses instead of paying again.

A new table, created here for databases of version 3 (a fresh database gets it
from `create_all` like every other table). The shape is spelled out rather than
imported: a migration records the table as it was at version 4.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, DateTime, Integer, MetaData, String, Table, Text


def upgrade(connection: Connection) -> None:
    Table(
        "brief_reply_cache",
        MetaData(),
        Column("key", String(64), primary_key=True),
        Column("model", String(300), nullable=False),
        Column("reply", Text, nullable=False),
        Column("input_tokens", Integer, nullable=False, default=0),
        Column("output_tokens", Integer, nullable=False, default=0),
        Column("created", DateTime(timezone=True), nullable=False),
    ).create(connection, checkfirst=True)
