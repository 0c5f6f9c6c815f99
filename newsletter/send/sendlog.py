"""The send log: one row per (edition, subscriber), the memory that makes sends exactly-once.

States: pending → claimed → sending → sent | failed | skipped. A process claims
rows in batches (`claimed`, with itself as `owner`): nothing has left for them, so
when the owner dies they simply go back to `pending`. Just before its workers hand
rows to the provider it marks a few of them `sending` (`arm`, in the same
transaction that records the outcomes so far), so after a crash only the rows in
that small in-flight window are ambiguous — at most about two per worker thread.

The claim is one statement so that several processes (on several machines with
PostgreSQL) can share one campaign: `FOR UPDATE SKIP LOCKED` on PostgreSQL makes
concurrent claimers take disjoint rows without waiting for each other; SQLite runs
the `UPDATE … RETURNING` under its database write lock, so it is atomic too. The
`arm` statement only moves rows the process still owns: rows a dead-looking
owner lost to recovery (see `leases`) are never sent by it afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, exists, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from newsletter import schema
from newsletter.schema import subscribers

STATES = ("pending", "claimed", "sending", "sent", "failed", "skipped")
ENQUEUE_CHUNK = 50_000  # subscriber ids per INSERT … SELECT: short write locks on SQLite


@dataclass(frozen=True)
class Claimed:
    """A row this process now owns (state `claimed`) and the subscriber as it is now."""

    row_id: int
    subscriber_id: int
    email: str
    name: str
    status: str  # the subscriber's status at claim time ("" when they were erased)


@dataclass(frozen=True)
class Outcome:
    """How one claimed row ended: sent | failed | skipped, pending (never left; retry later),
    or sending (it may have left: the connection dropped before the provider confirmed it)."""

    row_id: int
    state: str
    message_id: str = ""
    error: str = ""
    attempts: int = 0


def _now() -> datetime:
    return datetime.now(UTC)


class SendLog:
    """The rows of one edition on one database."""

    def __init__(self, engine: Engine, edition: str) -> None:
        self.engine = engine
        self.edition = edition
        self.table = schema.send_log

    def counts(self) -> Counter[str]:
        """Rows per state for this edition."""
        table = self.table
        query = (
            select(table.c.state, func.count())
            .where(table.c.edition == self.edition)
            .group_by(table.c.state)
        )
        with self.engine.connect() as conn:
            return Counter({state: int(count) for state, count in conn.execute(query)})

    def failures(self, limit: int = 5) -> list[tuple[str, str]]:
        """(email, last error) of some failed rows, for the end-of-send report."""
        table = self.table
        query = (
            select(table.c.email, table.c.last_error)
            .where(table.c.edition == self.edition, table.c.state == "failed")
            .order_by(table.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(row.email, row.last_error or "") for row in conn.execute(query)]

    def would_send(self) -> int:
        """Active subscribers without a finished or in-flight row: what a send would do now."""
        table = self.table
        done = exists().where(
            and_(
                table.c.edition == self.edition,
                table.c.subscriber_id == subscribers.c.id,
                table.c.state != "pending",
            )
        )
        query = select(func.count()).where(subscribers.c.status == "active", ~done)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def enqueue(self) -> int:
        """A pending row for every active subscriber that has none yet; returns how many.

        One `INSERT … SELECT … ON CONFLICT DO NOTHING` per chunk of subscriber ids:
        no subscriber passes through Python, and the unique index — not a prior
        read — decides when two processes enqueue at once.
        """
        insert: Any = (
            postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        )
        table = self.table
        with self.engine.connect() as conn:
            low, high = conn.execute(
                select(func.min(subscribers.c.id), func.max(subscribers.c.id)).where(
                    subscribers.c.status == "active"
                )
            ).one()
        if low is None:
            return 0
        added = 0
        start = low - 1
        while start < high:
            end = start + ENQUEUE_CHUNK
            now = _now()
            source = select(
                literal(self.edition),
                subscribers.c.id,
                subscribers.c.email,
                literal("pending"),
                literal(0),
                literal(now, type_=table.c.created_at.type),
                literal(now, type_=table.c.updated_at.type),
            ).where(
                subscribers.c.status == "active",
                subscribers.c.id > start,
                subscribers.c.id <= end,
            )
            statement = (
                insert(table)
                .from_select(
                    [
                        "edition",
                        "subscriber_id",
                        "email",
                        "state",
                        "attempts",
                        "created_at",
                        "updated_at",
                    ],
                    source,
                )
                .on_conflict_do_nothing(index_elements=["edition", "subscriber_id"])
            )
            with self.engine.begin() as conn:
                added += max(conn.execute(statement).rowcount, 0)
            start = end
        return added

    def release_claimed(self, owner: str) -> int:
        """Hand this owner's claimed rows (never given to the provider) back to `pending`."""
        table = self.table
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    table.update()
                    .where(
                        table.c.edition == self.edition,
                        table.c.state == "claimed",
                        table.c.owner == owner,
                    )
                    .values(state="pending", owner=None, updated_at=_now())
                ).rowcount
            )

    def claim(self, limit: int, owner: str) -> list[Claimed]:
        """Up to `limit` pending rows, marked `claimed` by `owner` in one statement."""
        if limit <= 0:
            return []
        table = self.table
        pick = (
            select(table.c.id)
            .where(table.c.edition == self.edition, table.c.state == "pending")
            .limit(limit)
        )
        if self.engine.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        else:
            pick = pick.order_by(table.c.id)
        statement = (
            table.update()
            .where(table.c.id.in_(pick.scalar_subquery()))
            .values(state="claimed", owner=owner, updated_at=_now())
            .returning(table.c.id, table.c.subscriber_id)
        )
        with self.engine.begin() as conn:
            # plain tuples: sorting Rows compares them in Python, ≈5 µs a claimed row
            rows = sorted(tuple(row) for row in conn.execute(statement))
        if not rows:
            return []
        query = select(
            subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.status
        ).where(subscribers.c.id.in_([subscriber_id for _, subscriber_id in rows]))
        with self.engine.connect() as conn:
            people = {person[0]: tuple(person) for person in conn.execute(query)}
        claimed = []
        for row_id, subscriber_id in rows:
            person = people.get(subscriber_id)
            if person is None:
                claimed.append(Claimed(row_id, subscriber_id, "", "", ""))
            else:
                _, email, name, status = person
                claimed.append(Claimed(row_id, subscriber_id, email, name or "", status))
        return claimed

    def arm(self, row_ids: list[int], owner: str, outcomes: Iterable[Outcome] = ()) -> set[int]:
        """Record `outcomes` and mark `row_ids` `sending`, in one transaction; returns the ids
        moved. Only rows still `claimed` by `owner` move: the fence against sending a row
        that recovery handed to another process while this one looked dead."""
        with self.engine.begin() as conn:
            self._finish(conn, outcomes)
            if not row_ids:
                return set()
            moved = conn.execute(
                _arm_statement(), {"row_ids": row_ids, "arm_owner": owner, "now": _now()}
            )
            return {row.id for row in moved}

    def disarm(self, row_ids: list[int], owner: str) -> None:
        """Rows this owner marked `sending` that never reached a worker (an interrupt came
        between the mark and the queue) go back to `claimed`: nothing left for them."""
        if not row_ids:
            return
        table = self.table
        with self.engine.begin() as conn:
            conn.execute(
                table.update()
                .where(
                    table.c.id.in_(row_ids),
                    table.c.owner == owner,
                    table.c.state == "sending",
                )
                .values(state="claimed", updated_at=_now())
            )

    def finish(self, outcomes: Iterable[Outcome]) -> None:
        """Record outcomes in one transaction (one executemany); a `sent` row is never undone."""
        with self.engine.begin() as conn:
            self._finish(conn, outcomes)

    def _finish(self, conn: Connection, outcomes: Iterable[Outcome]) -> None:
        now = _now()
        params = [
            {
                "row_id": outcome.row_id,
                "new_state": outcome.state,
                "new_message_id": outcome.message_id or None,
                "new_error": outcome.error[:1000] or None,
                "tries": outcome.attempts,
                "now": now,
            }
            for outcome in outcomes
        ]
        if params:
            conn.execute(_finish_statement(), params)


@cache
def _arm_statement() -> Any:
    """Built once: the pool arms a few rows every few messages, and building and keying a
    statement costs more than running it."""
    table = schema.send_log
    return (
        table.update()
        .where(
            table.c.id.in_(bindparam("row_ids", expanding=True)),
            table.c.owner == bindparam("arm_owner"),
            table.c.state == "claimed",
        )
        .values(state="sending", updated_at=bindparam("now"))
        .returning(table.c.id)
    )


@cache
def _finish_statement() -> Any:
    """Built once, like `_arm_statement`; a `sent` row is never undone."""
    table = schema.send_log
    return (
        table.update()
        .where(table.c.id == bindparam("row_id"), table.c.state != "sent")
        .values(
            state=bindparam("new_state"),
            message_id=bindparam("new_message_id"),
            last_error=bindparam("new_error"),
            attempts=table.c.attempts + bindparam("tries"),
            updated_at=bindparam("now"),
        )
    )


def day_ago() -> datetime:
    return _now() - timedelta(hours=24)


def sent_since(engine: Engine, moment: datetime) -> int:
    """Messages of any edition sent after `moment`: the 24-hour count where the provider
    keeps none (SMTP)."""
    table = schema.send_log
    query = select(func.count()).where(table.c.state == "sent", table.c.updated_at >= moment)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
