"""Version 5: `article_cache`, the article pages' validators and extracted text by URL.

A new table, created here for databases of version 4 (a fresh database gets it
from `create_all` like every other table). The shape is spelled out rather than
imported: a migration records the table as it was at version 5.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Float, MetaData, String, Table, Text


def upgrade(connection: Connection) -> None:
    Table(
        "article_cache",
        MetaData(),
        Column("url", String(2048), primary_key=True),
        Column("etag", Text, nullable=False, default=""),
        Column("last_modified", Text, nullable=False, default=""),
        Column("text", Text, nullable=False),
        Column("fetched_at", Float, nullable=False),
    ).create(connection, checkfirst=True)
