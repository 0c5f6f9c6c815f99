"""Version 3: the feed cache remembers failure streaks (`failures`, `failing_since`).

A feed that has been failing for a week deserves a different line in the report
than one that failed once; the collector counts runs in a row that ended in an
error and resets the count when the feed works again. Existing rows start at 0.
"""

from __future__ import annotations

from sqlalchemy import Connection

from newsletter.migrations import add_column


def upgrade(connection: Connection) -> None:
    add_column(connection, "collect_feed_cache", "failures", "INTEGER NOT NULL DEFAULT 0")
    add_column(connection, "collect_feed_cache", "failing_since", "FLOAT")
