"""The feedback package's tables on the shared metadata of `newsletter.db`.

`feedback_messages` remembers every notification already handled (SNS MessageId,
or SES feedbackId for raw SQS deliveries): SNS and SQS both deliver at least
once, and a counted soft bounce must not be counted twice. `transient_bounces`
counts soft bounces per subscriber; its `subscriber_id` column lets the
audience's `forget` erase it with the person.

`delivery_events` keeps every SES event (delivery, open, click, …) for `report`.

All are new tables, so `ensure_schema` creates them on first use and no
migration is needed; a later change to their shape would add one.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from newsletter import db


@cache
def feedback_messages() -> Any:
    from sqlalchemy import Column, DateTime, String, Table

    return Table(
        "feedback_messages",
        db.metadata(),
        Column("message_id", String(200), primary_key=True),
        Column("origin", String(8), nullable=False),  # sns | sqs
        Column("kind", String(16), nullable=False),  # bounce | complaint | other
        Column("received", DateTime(timezone=True), nullable=False),
    )


@cache
def transient_bounces() -> Any:
    from sqlalchemy import Column, DateTime, ForeignKey, Integer, Table

    # the subscribers table must be on the metadata for the foreign key to resolve
    import newsletter.audience.schema  # noqa: F401

    return Table(
        "transient_bounces",
        db.metadata(),
        Column(
            "subscriber_id",
            Integer,
            ForeignKey("subscribers.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        Column("count", Integer, nullable=False),
        Column("last", DateTime(timezone=True), nullable=False),
    )


@cache
def delivery_events() -> Any:
    """What SES reported about each message (see `event_log`): one row per event, keyed by a
    digest of the event, so a redelivery is stored once. The subscriber, never the address,
    is kept; `forget` erases the person's events through `subscriber_id`."""
    from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

    import newsletter.audience.schema  # noqa: F401 - the foreign key's table

    return Table(
        "delivery_events",
        db.metadata(),
        Column("key", String(40), primary_key=True),
        Column("edition", String(10)),  # NULL for a test copy or a foreign message
        Column(
            "subscriber_id",
            Integer,
            ForeignKey("subscribers.id", ondelete="CASCADE"),
            nullable=True,
        ),
        Column("message_id", String(200), nullable=False),
        Column("kind", String(20), nullable=False),  # delivery | bounce | open | click | …
        Column("detail", String(500), nullable=False, default=""),
        Column("link", Text),  # clicks: the original URL
        Column("occurred", DateTime(timezone=True), nullable=False),
        Column("received", DateTime(timezone=True), nullable=False),
        Index("ix_delivery_events_edition_kind", "edition", "kind"),
    )


def declare() -> None:
    """Put the package's tables on the metadata (before `ensure_schema`)."""
    feedback_messages()
    transient_bounces()
    delivery_events()
