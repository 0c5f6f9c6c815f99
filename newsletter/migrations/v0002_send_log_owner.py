"""Version 2: `send_log.owner`, the send process that claimed a row.

A row is `claimed` by one process (owner = host:pid:random) before it is marked
`sending`, so after a crash the rows of a dead owner that never reached SES go
back to `pending`, and only its `sending` rows stay ambiguous. Rows written by
version 1 have no owner: a `sending` one among them is ambiguous, as it was.
"""

from __future__ import annotations

from sqlalchemy import Connection

from newsletter.migrations import add_column


def upgrade(connection: Connection) -> None:
    add_column(connection, "send_log", "owner", "VARCHAR(120)")
