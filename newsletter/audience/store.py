"""The subscriber store: who is on the list, in which status, and how they got there.

Losing or resurrecting a subscriber is the worst bug this product can have, so the
rules live here and nowhere else:
- an address is unique case-insensitively (`addresses.parse_address` makes the key);
- `add` only ever creates: it never changes an existing subscriber, and it refuses
  an address that was forgotten (GDPR) unless the person signs up again themselves;
- every status change appends an event (time, status, source, detail);
- nothing moves from `unsubscribed`/`bounced`/`complained` back to receiving mail
  except an explicit operator action (`cli`) or the person's own signup (`signup`);
- nothing is deleted except by `forget`, which leaves a hashed tombstone, and by
  `purge_pending`, which drops signups that were never confirmed (never sent to).

Every method is its own short transaction, so the web app can record an
unsubscribe while a send walks the list.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from newsletter import schema
from newsletter.audience import erasure
from newsletter.audience.addresses import InvalidAddress, clean_name, parse_address, tombstone_hash
from newsletter.audience.records import (
    MAY_RESUBSCRIBE,
    RECEIVING,
    SOURCES,
    STATUSES,
    SUPPRESSED,
    Event,
    ForgottenAddress,
    Subscriber,
    check_source,
    check_status,
    subscriber_from_row,
    utc,
)
from newsletter.db import insert_ignoring_duplicates

__all__ = [
    "RECEIVING",
    "SOURCES",
    "STATUSES",
    "SUPPRESSED",
    "Event",
    "ForgottenAddress",
    "InvalidAddress",
    "Subscriber",
    "SubscriberStore",
]


class SubscriberStore:
    """Subscribers and their events on one database (SQLite file or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {engine.dialect.name!r}")
        self.engine = engine

    # -- reading -------------------------------------------------------------------

    def get(self, email: str) -> Subscriber | None:
        """The subscriber with this address in any capitalisation; None if absent or invalid."""
        try:
            key = parse_address(email).key
        except InvalidAddress:
            return None
        return self._one(schema.subscribers.c.email_key == key)

    def get_by_id(self, subscriber_id: int) -> Subscriber | None:
        return self._one(schema.subscribers.c.id == subscriber_id)

    def list(
        self, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Subscriber]:
        """A page of subscribers in the order they joined (by id)."""
        table = schema.subscribers
        query = select(table).order_by(table.c.id).limit(max(limit, 0)).offset(max(offset, 0))
        if status is not None:
            check_status(status)
            query = query.where(table.c.status == status)
        with self.engine.connect() as connection:
            return [subscriber_from_row(row) for row in connection.execute(query)]

    def count_by_status(self) -> dict[str, int]:
        table = schema.subscribers
        counts = dict.fromkeys(STATUSES, 0)
        query = select(table.c.status, func.count()).group_by(table.c.status)
        with self.engine.connect() as connection:
            for status, count in connection.execute(query):
                counts[status] = counts.get(status, 0) + count
        return counts

    def iter_active(self, batch_size: int = 1000) -> Iterator[Subscriber]:
        """Every active subscriber by id, one short query per batch (keyset pagination).

        No transaction is held between batches, so unsubscribes recorded meanwhile
        are seen by later batches and never wait for a long send.
        """
        table = schema.subscribers
        last = 0
        while True:
            query = (
                select(table)
                .where(table.c.status == "active", table.c.id > last)
                .order_by(table.c.id)
                .limit(batch_size)
            )
            with self.engine.connect() as connection:
                batch = [subscriber_from_row(row) for row in connection.execute(query)]
            yield from batch
            if len(batch) < batch_size:
                return
            last = batch[-1].id

    def events(self, subscriber_id: int) -> builtins.list[Event]:
        table = schema.subscriber_events
        query = (
            select(table.c.time, table.c.status, table.c.source, table.c.detail)
            .where(table.c.subscriber_id == subscriber_id)
            .order_by(table.c.id)
        )
        with self.engine.connect() as connection:
            return [
                Event(utc(row.time), row.status, row.source, row.detail or "")
                for row in connection.execute(query)
            ]

    def is_forgotten(self, email: str) -> bool:
        return self.forgotten_at(email) is not None

    def forgotten_at(self, email: str) -> datetime | None:
        """When the address was erased (its tombstone's time); None if it is not."""
        key = parse_address(email).key
        table = schema.subscriber_tombstones
        with self.engine.connect() as connection:
            found = connection.scalar(
                select(table.c.forgotten).where(table.c.email_hash == tombstone_hash(key))
            )
        return None if found is None else utc(found)

    # -- writing -------------------------------------------------------------------

    def add(
        self,
        email: str,
        name: str = "",
        *,
        source: str = "cli",
        detail: str = "",
        status: str = "active",
    ) -> tuple[Subscriber, bool]:
        """(subscriber, created). An existing address is returned unchanged, whatever its
        status: adding never re-activates anybody. `InvalidAddress` for a bad address,
        `ForgottenAddress` (a subclass) for an erased one unless `source="signup"`.
        """
        check_source(source)
        check_status(status)
        address = parse_address(email)
        table = schema.subscribers
        tombstones = schema.subscriber_tombstones
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            existing = self._one(table.c.email_key == address.key, connection)
            if existing is not None:
                return existing, False
            hashed = tombstone_hash(address.key)
            if connection.scalar(
                select(tombstones.c.email_hash).where(tombstones.c.email_hash == hashed)
            ):
                if source != "signup":
                    raise ForgottenAddress(
                        f"{address.email} was erased on request (forget); only the person's "
                        "own signup can add it again"
                    )
                connection.execute(delete(tombstones).where(tombstones.c.email_hash == hashed))
            statement = insert_ignoring_duplicates(connection, table, "email_key").returning(
                table.c.id
            )
            new_id = connection.scalar(
                statement,
                {
                    "email": address.email,
                    "email_key": address.key,
                    "name": clean_name(name),
                    "status": status,
                    "created": now,
                    "updated": now,
                    "attributes": {},
                },
            )
            if new_id is None:  # another process added the same address just now
                winner = self._one(table.c.email_key == address.key, connection)
                assert winner is not None
                return winner, False
            self._event(connection, new_id, now, status, source, detail)
            created = self._one(table.c.id == new_id, connection)
        assert created is not None
        return created, True

    def set_status(
        self,
        subscriber_id: int,
        status: str,
        *,
        source: str,
        detail: str = "",
        unchanged_since: datetime | None = None,
    ) -> bool:
        """Move a subscriber to `status` and record why. False when it is already there
        (or the subscriber no longer exists): the web and feedback handlers may safely
        run twice for one click or one notification. With `unchanged_since`, only if the
        subscriber's `updated` is still exactly that: a signup confirmation link made
        before a later unsubscribe or bounce must not undo it.
        """
        check_status(status)
        check_source(source)
        table = schema.subscribers
        while True:
            with self.engine.begin() as connection:
                row = connection.execute(
                    select(table.c.status, table.c.updated).where(table.c.id == subscriber_id)
                ).first()
                current = None if row is None else row.status
                if current is None or current == status:
                    return False
                guard = [table.c.status == current]
                if unchanged_since is not None and row is not None:
                    if utc(row.updated) != unchanged_since:
                        return False
                    guard.append(table.c.updated == row.updated)
                if current in SUPPRESSED and status in RECEIVING and source not in MAY_RESUBSCRIBE:
                    raise ValueError(
                        f"subscriber {subscriber_id} is {current}; source {source!r} may not "
                        f"make them {status} (only an operator or the person can)"
                    )
                now = datetime.now(UTC)
                changed = connection.execute(
                    update(table)
                    .where(table.c.id == subscriber_id, *guard)
                    .values(status=status, updated=now)
                ).rowcount
                if changed:
                    self._event(connection, subscriber_id, now, status, source, detail)
                    return True
                if unchanged_since is not None:
                    return False
            # Somebody changed the status between our read and our write: look again.

    def unsubscribe(self, subscriber_id: int, *, source: str, detail: str = "") -> bool:
        return self.set_status(subscriber_id, "unsubscribed", source=source, detail=detail)

    def unsubscribe_many(
        self, subscriber_ids: builtins.list[int], *, source: str, detail: str = ""
    ) -> set[int]:
        """Unsubscribe every receiving subscriber among `subscriber_ids` in one transaction;
        the ids that changed. Suppressed ones keep their status (a bounce or complaint
        says more than an unsubscribe), and an id given twice changes once.

        The web app groups concurrent unsubscribe clicks into one call: on SQLite one
        commit for a batch instead of one per click is what sustains a burst of them.
        """
        check_source(source)
        ids = sorted(set(subscriber_ids))
        if not ids:
            return set()
        table = schema.subscribers
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            changed = set(
                connection.scalars(
                    update(table)
                    .where(table.c.id.in_(ids), table.c.status.in_(RECEIVING))
                    .values(status="unsubscribed", updated=now)
                    .returning(table.c.id)
                )
            )
            if changed:
                connection.execute(
                    schema.subscriber_events.insert(),
                    [
                        {
                            "subscriber_id": subscriber_id,
                            "time": now,
                            "status": "unsubscribed",
                            "source": source,
                            "detail": detail,
                        }
                        for subscriber_id in sorted(changed)
                    ],
                )
        return changed

    def forget(self, email: str) -> bool:
        """Erase a person (GDPR), keeping only a hashed tombstone; see `erasure.forget`."""
        return erasure.forget(self.engine, email)

    def purge_pending(self, older_than: datetime) -> int:
        """Delete never-confirmed signups begun before `older_than`; see `erasure`."""
        return erasure.purge_pending(self.engine, older_than)

    # -- internals -----------------------------------------------------------------

    def _one(self, condition: Any, connection: Connection | None = None) -> Subscriber | None:
        query = select(schema.subscribers).where(condition)
        if connection is not None:
            row = connection.execute(query).first()
        else:
            with self.engine.connect() as own:
                row = own.execute(query).first()
        return None if row is None else subscriber_from_row(row)

    @staticmethod
    def _event(
        connection: Connection,
        subscriber_id: int,
        time: datetime,
        status: str,
        source: str,
        detail: str,
    ) -> None:
        connection.execute(
            schema.subscriber_events.insert(),
            {
                "subscriber_id": subscriber_id,
                "time": time,
                "status": status,
                "source": source,
                "detail": detail,
            },
        )
