"""Deliver one edition to every active subscriber exactly once, resumably.

The campaign first writes a `pending` row per active subscriber into the send
log (idempotent: a re-run adds only newcomers), then works through the pending
rows. Because each row moves pending → sending → sent in the database, a re-run
after a crash or a second `daily` skips everyone already served.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from newsletter import db
from newsletter.audience.store import SubscriberStore
from newsletter.audience.tokens import secret_key, unsubscribe_token
from newsletter.config import Settings, database_url
from newsletter.model import Edition
from newsletter.send.message import (
    HeaderInjection,
    MessageTemplate,
    Recipient,
    UnsupportedAddress,
)
from newsletter.send.sendlog import send_log
from newsletter.send.transports.base import AccountError, DeliveryError, Transport

BATCH = 500


class CampaignStopped(Exception):
    """An account-level failure stopped the campaign; everything unsent stays pending."""


@dataclass
class CampaignSummary:
    edition: str
    enqueued: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    ambiguous: int = 0
    already_sent: int = 0

    @property
    def nothing_to_do(self) -> bool:
        return self.sent == 0 and self.failed == 0 and self.skipped == 0


def message_template(settings: Settings, edition: Edition) -> MessageTemplate:
    return MessageTemplate(
        edition,
        sender=settings.sender.from_,
        list_id=settings.list_id,
        list_name=settings.newsletter.name,
        reply_to=settings.sender.reply_to,
    )


def unsubscribe_url(settings: Settings, secret: str, subscriber_id: int) -> str:
    token = unsubscribe_token(secret, subscriber_id, settings.list_id)
    return f"{settings.newsletter.base_url.rstrip('/')}/u/{token}"


def make_transport(settings: Settings, day: date) -> Transport:
    if settings.sender.transport == "outbox":
        from newsletter.send.transports.outbox import OutboxTransport

        return OutboxTransport(settings.outbox_dir(day))
    from newsletter.send.transports.ses import SesTransport

    return SesTransport(
        region=settings.sender.region,
        endpoint_url=settings.sender.endpoint_url,
        configuration_set=settings.sender.configuration_set,
        sender=settings.sender.from_,
        max_pool_connections=max(10, settings.sender.workers * 2),
    )


def run_campaign(
    settings: Settings,
    day: date,
    edition: Edition,
    *,
    transport: Transport | None = None,
    resend_ambiguous: bool = False,
) -> CampaignSummary:
    """Send `edition` to every active subscriber not yet served; safe to call again."""
    engine = db.engine(database_url(settings))
    store = SubscriberStore(engine)
    table = send_log()
    db.ensure_schema(engine)
    key = day.isoformat()
    summary = CampaignSummary(edition=key)
    secret = secret_key(transport=settings.sender.transport, data_dir=settings.data_dir)
    template = message_template(settings, edition)

    with engine.begin() as conn:
        summary.ambiguous = _count(conn, table, key, "sending")
        if resend_ambiguous and summary.ambiguous:
            _move(conn, table, key, "sending", "pending")
            summary.ambiguous = 0
    summary.enqueued = _enqueue(engine, table, key, store)
    with engine.begin() as conn:
        summary.already_sent = _count(conn, table, key, "sent")

    transport = transport or make_transport(settings, day)
    try:
        for row in _claim(engine, table, key):
            subscriber = store.get_by_id(row.subscriber_id)
            if subscriber is None or subscriber.status != "active":
                _finish(engine, table, row.id, "skipped", error="no longer active")
                summary.skipped += 1
                continue
            recipient = Recipient(
                subscriber.email, subscriber.name, unsubscribe_url(settings, secret, subscriber.id)
            )
            try:
                raw = template.build(recipient)
            except (HeaderInjection, UnsupportedAddress) as exc:
                _finish(engine, table, row.id, "failed", error=str(exc))
                summary.failed += 1
                continue
            try:
                message_id = transport.send(raw, recipient=subscriber.email, tags={"edition": key})
            except AccountError as exc:
                _finish(engine, table, row.id, "pending", error=str(exc))
                raise CampaignStopped(str(exc)) from exc
            except DeliveryError as exc:
                _finish(engine, table, row.id, "failed", error=str(exc))
                summary.failed += 1
                continue
            _finish(engine, table, row.id, "sent", message_id=message_id)
            summary.sent += 1
    finally:
        transport.close()
    return summary


def _now() -> datetime:
    return datetime.now(UTC)


def _count(conn: Any, table: Any, edition: str, state: str) -> int:
    from sqlalchemy import func, select

    query = select(func.count()).where(table.c.edition == edition, table.c.state == state)
    return int(conn.execute(query).scalar_one())


def _move(conn: Any, table: Any, edition: str, old: str, new: str) -> None:
    conn.execute(
        table.update()
        .where(table.c.edition == edition, table.c.state == old)
        .values(state=new, updated_at=_now())
    )


def _enqueue(engine: Any, table: Any, edition: str, store: SubscriberStore) -> int:
    """Add a pending row for each active subscriber that has none for this edition."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    added = 0
    batch: list[dict[str, Any]] = []

    def flush() -> int:
        now = _now()
        rows = [dict(r, created_at=now, updated_at=now) for r in batch]
        statement = insert(table).on_conflict_do_nothing(
            index_elements=["edition", "subscriber_id"]
        )
        with engine.begin() as conn:
            result = conn.execute(statement, rows)
        batch.clear()
        return max(result.rowcount, 0)

    for subscriber in store.iter_active(batch_size=BATCH):
        batch.append(
            {
                "edition": edition,
                "subscriber_id": subscriber.id,
                "email": subscriber.email,
                "state": "pending",
                "attempts": 0,
            }
        )
        if len(batch) >= BATCH:
            added += flush()
    if batch:
        added += flush()
    return added


def _claim(engine: Any, table: Any, edition: str) -> Iterator[Any]:
    """Pending rows in order, each marked `sending` just before it is handed out.

    Marking one row at a time keeps the ambiguous window after a crash to the one
    message in flight; a row another process claimed first is passed over.
    """
    from sqlalchemy import select

    last_id = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(table.c.id, table.c.subscriber_id)
                .where(
                    table.c.edition == edition,
                    table.c.state == "pending",
                    table.c.id > last_id,
                )
                .order_by(table.c.id)
                .limit(BATCH)
            ).all()
        if not rows:
            return
        for row in rows:
            last_id = row.id
            with engine.begin() as conn:
                claimed = conn.execute(
                    table.update()
                    .where(table.c.id == row.id, table.c.state == "pending")
                    .values(state="sending", attempts=table.c.attempts + 1, updated_at=_now())
                ).rowcount
            if claimed:
                yield row


def _finish(
    engine: Any, table: Any, row_id: int, state: str, *, message_id: str = "", error: str = ""
) -> None:
    values: dict[str, Any] = {"state": state, "updated_at": _now()}
    if message_id:
        values["message_id"] = message_id
    if error:
        values["last_error"] = error[:1000]
    with engine.begin() as conn:
        conn.execute(table.update().where(table.c.id == row_id).values(**values))
