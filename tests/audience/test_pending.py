"""Signup support in the store, on SQLite and PostgreSQL: purging unconfirmed signups,
and status changes guarded by "unchanged since" (stale confirmation links)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from newsletter import schema
from newsletter.audience.store import SubscriberStore


def backdate(store: SubscriberStore, subscriber_id: int, days: int) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            update(schema.subscribers)
            .where(schema.subscribers.c.id == subscriber_id)
            .values(created=datetime.now(UTC) - timedelta(days=days))
        )


def test_purge_pending_deletes_only_old_never_confirmed_signups(store: SubscriberStore) -> None:
    from newsletter.schema import transient_bounces

    old, _ = store.add("old@example.com", source="signup", status="pending")
    fresh, _ = store.add("fresh@example.com", source="signup", status="pending")
    bounced, _ = store.add("bounced@example.com", source="signup", status="pending")
    store.set_status(bounced.id, "bounced", source="bounce")
    was_active, _ = store.add("was-active@example.com", source="cli")
    store.set_status(was_active.id, "pending", source="cli")
    active, _ = store.add("active@example.com", source="signup", status="pending")
    store.set_status(active.id, "active", source="signup")
    for subscriber in (old, bounced, was_active, active):
        backdate(store, subscriber.id, 31)
    backdate(store, fresh.id, 29)
    with store.engine.begin() as connection:  # a soft bounce of the confirmation mail
        connection.execute(
            transient_bounces.insert(),
            {"subscriber_id": old.id, "count": 1, "last": datetime.now(UTC)},
        )

    assert store.purge_pending(datetime.now(UTC) - timedelta(days=30)) == 1

    assert store.get("old@example.com") is None
    assert store.events(old.id) == []
    with store.engine.connect() as connection:
        left = connection.scalar(select(func.count()).select_from(transient_bounces))
    assert left == 0
    assert not store.is_forgotten("old@example.com")  # it may sign up again at once
    for address, status in [
        ("fresh@example.com", "pending"),
        ("bounced@example.com", "bounced"),
        ("was-active@example.com", "pending"),
        ("active@example.com", "active"),
    ]:
        kept = store.get(address)
        assert kept is not None and kept.status == status, address
    assert store.purge_pending(datetime.now(UTC) - timedelta(days=30)) == 0


def test_unchanged_since_guards_a_status_change(store: SubscriberStore) -> None:
    subscriber, _ = store.add("kim@example.com", source="signup", status="pending")
    seen = subscriber.updated
    store.set_status(subscriber.id, "unsubscribed", source="cli")
    assert not store.set_status(subscriber.id, "active", source="signup", unchanged_since=seen)
    now = store.get_by_id(subscriber.id)
    assert now is not None and now.status == "unsubscribed"
    assert store.set_status(
        subscriber.id, "active", source="signup", detail="{}", unchanged_since=now.updated
    )
    again = store.get_by_id(subscriber.id)
    assert again is not None and again.status == "active" and again.updated > now.updated
