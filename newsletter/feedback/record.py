"""Bounce and complaint feedback → subscriber statuses, each notification once.

A provider file (`ses`) reads its notifications into `Feedback`; the rules of
what that does to a subscriber live here, the same for every provider.

Rules, chosen to protect the sender's reputation without losing information:
- a permanent bounce makes a receiving subscriber `bounced`;
- transient (and undetermined) bounces are counted per subscriber and make them
  `bounced` at `feedback.transient_bounce_limit`; a soft bounce more than
  `feedback.transient_bounce_days` after the previous one starts the count again
  (a mailbox full once a year is not a dead address);
- a complaint makes any subscriber `complained` (the strongest signal: it also
  overrides an earlier unsubscribe or bounce, never the reverse);
- a mail to `sender.unsubscribe_mailbox` (a mail client's List-Unsubscribe mailto,
  received by SES) makes its receiving sender `unsubscribed`;
- addresses that are not on the list are ignored, never added.

Idempotency: status changes are idempotent by themselves (`set_status` returns
False when nothing changes); the transient counters are bumped in the same
transaction that records the message id, so a redelivered notification counts
nothing twice, even when two deliveries race.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite

from newsletter import schema
from newsletter.audience.records import RECEIVING
from newsletter.audience.store import SubscriberStore
from newsletter.db import insert_ignoring_duplicates

PERMANENT = "Permanent"
DETAIL_LIMIT = 500


class MalformedNotification(ValueError):
    """The payload is not a notification we understand; the message says which part."""


@dataclass(frozen=True)
class Feedback:
    """One bounce or complaint notification, reduced to what changes a subscriber."""

    kind: str  # "bounce" | "complaint" | "unsubscribe" (a mail to the unsubscribe mailbox)
    recipients: tuple[str, ...]
    bounce_type: str = ""  # Permanent | Transient | Undetermined (bounces only)
    detail: str = ""
    feedback_id: str = ""
    mailboxes: tuple[str, ...] = ()  # unsubscribe: the addresses the mail was received for


@dataclass
class Outcome:
    """What recording one notification did (for the HTTP answer, the poll report, logs)."""

    duplicate: bool = False
    changed: list[tuple[int, str]] = field(default_factory=list)  # (subscriber id, new status)
    counted: list[tuple[int, int]] = field(default_factory=list)  # (subscriber id, soft bounces)
    unknown: int = 0  # recipients not on the list

    def to_json(self) -> dict[str, Any]:
        return {
            "status": "duplicate" if self.duplicate else "recorded",
            "changed": len(self.changed),
            "counted": len(self.counted),
            "unknown": self.unknown,
        }


class FeedbackRecorder:
    """Applies notifications to the subscriber store, exactly once per message id."""

    def __init__(
        self,
        store: SubscriberStore,
        transient_limit: int,
        transient_days: int = 30,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        unsubscribe_mailbox: str = "",
    ) -> None:
        self.store = store
        # a received mail unsubscribes its sender only when it was sent to this mailbox: the
        # same SNS topic may carry a newsletter's other received mail (replies, for one)
        self.unsubscribe_mailbox = unsubscribe_mailbox.lower()
        self.engine = store.engine
        self.transient_limit = transient_limit
        self.transient_window = timedelta(days=transient_days)
        self.clock = clock

    def seen(self, message_id: str) -> bool:
        table = schema.feedback_messages
        with self.engine.connect() as connection:
            found = connection.scalar(
                select(table.c.message_id).where(table.c.message_id == message_id)
            )
        return found is not None

    def record(self, message_id: str, feedback: Feedback | None, origin: str) -> Outcome:
        """Apply `feedback` (None: a notification with nothing to do) under `message_id`."""
        if not message_id:
            raise MalformedNotification("no message id to make the notification idempotent")
        if self.seen(message_id):
            return Outcome(duplicate=True)
        outcome = Outcome()
        soft: list[int] = []
        for address in feedback.recipients if feedback else ():
            subscriber = self.store.get(address)
            if subscriber is None:
                outcome.unknown += 1
                continue
            assert feedback is not None
            if feedback.kind == "complaint":
                if subscriber.status != "complained":
                    self._move(outcome, subscriber.id, "complained", "complaint", feedback.detail)
            elif feedback.kind == "unsubscribe":
                wanted = self.unsubscribe_mailbox and self.unsubscribe_mailbox in feedback.mailboxes
                if wanted and subscriber.status in RECEIVING:
                    self._move(outcome, subscriber.id, "unsubscribed", "mailto", feedback.detail)
            elif subscriber.status in RECEIVING:
                if feedback.bounce_type == PERMANENT:
                    self._move(outcome, subscriber.id, "bounced", "bounce", feedback.detail)
                else:
                    soft.append(subscriber.id)
        counts = self._claim(message_id, origin, feedback, soft)
        if counts is None:  # a concurrent delivery of the same message won the claim
            outcome.duplicate = True
            return outcome
        for subscriber_id, count in counts:
            outcome.counted.append((subscriber_id, count))
            if count >= self.transient_limit:
                detail = f"{count} transient bounces"
                if feedback is not None and feedback.detail:
                    detail = f"{detail}; last: {feedback.detail}"[:DETAIL_LIMIT]
                self._move(outcome, subscriber_id, "bounced", "bounce", detail)
        return outcome

    def transient_count(self, subscriber_id: int) -> int:
        table = schema.transient_bounces
        with self.engine.connect() as connection:
            count = connection.scalar(
                select(table.c.count).where(table.c.subscriber_id == subscriber_id)
            )
        return int(count or 0)

    def _move(self, outcome: Outcome, subscriber_id: int, status: str, source: str, detail: str):
        if self.store.set_status(subscriber_id, status, source=source, detail=detail):
            outcome.changed.append((subscriber_id, status))

    def _claim(
        self, message_id: str, origin: str, feedback: Feedback | None, soft: list[int]
    ) -> list[tuple[int, int]] | None:
        """Record the message id and bump soft-bounce counters in one transaction."""
        messages = schema.feedback_messages
        counters = schema.transient_bounces
        now = self.clock()
        with self.engine.begin() as connection:
            claimed = connection.execute(
                insert_ignoring_duplicates(connection, messages, "message_id"),
                {
                    "message_id": message_id[:200],
                    "origin": origin,
                    "kind": feedback.kind if feedback else "other",
                    "received": now,
                },
            ).rowcount
            if not claimed:
                return None
            counts = []
            for subscriber_id in soft:
                statement = _upsert(connection, counters, now - self.transient_window)
                statement = statement.returning(counters.c.count)
                count = connection.scalar(
                    statement, {"subscriber_id": subscriber_id, "count": 1, "last": now}
                )
                counts.append((subscriber_id, int(count)))
        return counts


def _upsert(connection: Any, table: Any, restart_before: datetime) -> Any:
    """`INSERT … ON CONFLICT (subscriber_id) DO UPDATE SET count = count + 1`, or 1 again
    when the previous soft bounce came before `restart_before`."""
    insert: Any = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    count = case((table.c.last < restart_before, 1), else_=table.c.count + 1)
    return statement.on_conflict_do_update(
        index_elements=["subscriber_id"],
        set_={"count": count, "last": statement.excluded.last},
    )
