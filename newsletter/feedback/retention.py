"""How long feedback bookkeeping is kept, and the daily pruning of what is past it.

A notification's id is remembered only to recognise a redelivery: SNS retries for
hours and SQS keeps a message 14 days at most, so an id older than `MESSAGE_DAYS`
can never come back. A soft-bounce count means "this address keeps failing": a
bounce that comes more than `feedback.transient_bounce_days` after the previous
one starts the count again (see `ses_notifications`), and a count nobody added
to within that time is deleted. Without this both tables grow with every send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from newsletter import schema

MESSAGE_DAYS = 30  # > SQS's longest retention (14 days): a redelivery cannot be older
EVENT_DAYS = 400  # delivery events: a year of editions to compare, and the report's 30


@dataclass(frozen=True)
class Pruned:
    messages: int = 0
    soft_bounce_counts: int = 0
    events: int = 0  # delivery events older than EVENT_DAYS


def prune(engine: Engine, now: datetime, transient_days: int) -> Pruned:
    """Delete message ids older than MESSAGE_DAYS, soft-bounce counts gone quiet and
    delivery events older than EVENT_DAYS."""
    messages, counters = schema.feedback_messages, schema.transient_bounces
    events = schema.delivery_events
    with engine.begin() as connection:
        old = now - timedelta(days=MESSAGE_DAYS)
        gone = connection.execute(delete(messages).where(messages.c.received < old)).rowcount
        quiet = now - timedelta(days=transient_days)
        reset = connection.execute(delete(counters).where(counters.c.last < quiet)).rowcount
        past = now - timedelta(days=EVENT_DAYS)
        aged = connection.execute(delete(events).where(events.c.occurred < past)).rowcount
    return Pruned(messages=gone or 0, soft_bounce_counts=reset or 0, events=aged or 0)
