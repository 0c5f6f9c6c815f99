"""Delivery events → `delivery_events`, each stored once, attributed to edition and subscriber.

The event names its message by SES's id and carries our `edition` tag; the
recipient's address finds the subscriber (only the id is stored: `forget` erases
the person's events with them). An event without the tag — a message sent
before the tag existed, or through a path that dropped it — is attributed
through the send log, which keeps SES's message id for every message it sent.

Opens and clicks are a privacy choice: unless `feedback.track_opens` /
`track_clicks` are on, such events are dropped here even when SES publishes
them, so nothing about who read what is kept.

Recording takes a batch (the ten messages of one SQS receive, or the one of a
webhook call: `record_groups`) in one transaction: a SELECT of the known keys, a SELECT of the
subscribers, one executemany `INSERT … ON CONFLICT DO NOTHING`. The unique key,
not the SELECT, decides when two deliveries of one event race.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Connection, Engine, select

from newsletter import schema
from newsletter.audience.addresses import InvalidAddress, address_key
from newsletter.db import insert_ignoring_duplicates
from newsletter.feedback.events import TRACKING, DeliveryEvent
from newsletter.schema import subscribers


@dataclass
class Recorded:
    stored: int = 0  # new events
    duplicates: int = 0  # already stored (a redelivery)
    untracked: int = 0  # opens/clicks dropped because tracking is off
    unattributed: int = 0  # stored without a subscriber (not on the list)


class EventLog:
    def __init__(
        self,
        engine: Engine,
        *,
        track_opens: bool = False,
        track_clicks: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.tracked = {"open": track_opens, "click": track_clicks}
        self.clock = clock

    def record(self, events: Iterable[DeliveryEvent]) -> Recorded:
        return self.record_groups([list(events)])[0]

    def record_groups(self, groups: list[list[DeliveryEvent]]) -> list[Recorded]:
        """Each group's events (one notification's), all in one transaction; what happened
        to each group."""
        results = [Recorded() for _ in groups]
        kept: dict[str, tuple[int, DeliveryEvent]] = {}
        for number, events in enumerate(groups):
            for event in events:
                if event.kind in TRACKING and not self.tracked[event.kind]:
                    results[number].untracked += 1
                elif event.key in kept:
                    results[number].duplicates += 1
                else:
                    kept[event.key] = (number, event)
        if not kept:
            return results
        table = schema.delivery_events
        with self.engine.begin() as connection:
            known = set(connection.scalars(select(table.c.key).where(table.c.key.in_(kept))))
            fresh = [item for key, item in kept.items() if key not in known]
            for key in known:
                results[kept[key][0]].duplicates += 1
            if not fresh:
                return results
            events = [event for _number, event in fresh]
            people = _subscribers(connection, events)
            editions = _editions_from_log(connection, [e for e in events if not e.edition])
            now = self.clock()
            rows = []
            for number, event in fresh:
                subscriber_id = people.get(_key_of(event.recipient))
                if subscriber_id is None:
                    results[number].unattributed += 1
                results[number].stored += 1
                rows.append(
                    {
                        "key": event.key,
                        "edition": event.edition or editions.get(event.message_id),
                        "subscriber_id": subscriber_id,
                        "message_id": event.message_id,
                        "kind": event.kind,
                        "detail": event.detail,
                        "link": event.link or None,
                        "occurred": event.at,
                        "received": now,
                    }
                )
            connection.execute(insert_ignoring_duplicates(connection, table, "key"), rows)
        return results


@lru_cache(maxsize=65_536)
def _key_of(address: str) -> str:
    """The subscribers table's key of an address (cached: each message reports several
    events for one recipient)."""
    try:
        return address_key(address)
    except InvalidAddress:
        return ""


def _subscribers(connection: Connection, events: list[DeliveryEvent]) -> dict[str, int]:
    """email_key → subscriber id for the events' recipients."""
    keys = {_key_of(event.recipient) for event in events} - {""}
    if not keys:
        return {}
    table = subscribers
    query = select(table.c.email_key, table.c.id).where(table.c.email_key.in_(keys))
    return {row.email_key: row.id for row in connection.execute(query)}


def _editions_from_log(connection: Connection, events: list[DeliveryEvent]) -> dict[str, str]:
    """SES message id → edition, from the send log, for events that carry no edition tag."""
    ids = {event.message_id for event in events}
    if not ids:
        return {}
    table = schema.send_log
    query = select(table.c.message_id, table.c.edition).where(table.c.message_id.in_(ids))
    return {row.message_id: row.edition for row in connection.execute(query)}
