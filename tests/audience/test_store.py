"""The subscriber store on SQLite and PostgreSQL: the rules that keep the list honest."""

from __future__ import annotations

import multiprocessing
import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from newsletter import schema
from newsletter.audience.store import (
    STATUSES,
    ForgottenAddress,
    InvalidAddress,
    SubscriberStore,
)
from newsletter.db import ready
from tests.audience.concurrent_adds import add_all


def test_addresses_are_unique_case_insensitively(store: SubscriberStore) -> None:
    first, created = store.add("Kim.Minji@Example.com", "김민지")
    assert created and first.status == "active" and first.email == "Kim.Minji@Example.com"
    again, created_again = store.add("kim.minji@EXAMPLE.COM", "Someone Else")
    assert not created_again
    assert again == first  # unchanged, name included
    assert store.get("KIM.MINJI@example.com") == first
    assert store.count_by_status()["active"] == 1


def test_international_addresses(store: SubscriberStore) -> None:
    subscriber, created = store.add("user@bücher.de", "Jürgen")
    assert created and subscriber.email == "user@bücher.de"
    assert store.get("USER@xn--bcher-kva.de") == subscriber
    assert not store.add("user@xn--bcher-kva.de")[1]
    korean, _ = store.add("민지@예시.한국")
    assert store.get("민지@예시.한국") == korean


def test_invalid_address_is_refused_with_the_reason(store: SubscriberStore) -> None:
    with pytest.raises(InvalidAddress, match="@-sign"):
        store.add("not-an-address")
    assert store.count_by_status() == dict.fromkeys(STATUSES, 0)
    assert store.get("not-an-address") is None


def test_times_are_utc_and_fields_round_trip(store: SubscriberStore) -> None:
    before = datetime.now(UTC)
    subscriber, _ = store.add("a@example.com", " Alex \n Morgan ")
    assert subscriber.name == "Alex Morgan"
    assert subscriber.created.tzinfo is not None and subscriber.created >= before
    assert subscriber.attributes == {}
    assert store.get_by_id(subscriber.id) == subscriber
    assert store.get_by_id(subscriber.id + 1000) is None


def test_status_changes_are_recorded_and_idempotent(store: SubscriberStore) -> None:
    subscriber, _ = store.add("a@example.com", source="cli")
    assert store.unsubscribe(subscriber.id, source="one-click", detail="List-Unsubscribe-Post")
    assert not store.unsubscribe(subscriber.id, source="unsubscribe-link")  # second click
    assert store.set_status(subscriber.id, "complained", source="complaint", detail="abuse")
    events = store.events(subscriber.id)
    assert [(e.status, e.source, e.detail) for e in events] == [
        ("active", "cli", ""),
        ("unsubscribed", "one-click", "List-Unsubscribe-Post"),
        ("complained", "complaint", "abuse"),
    ]
    assert events[0].time <= events[1].time <= events[2].time
    current = store.get_by_id(subscriber.id)
    assert current is not None and current.status == "complained"
    assert current.updated >= current.created
    assert not store.set_status(999_999, "unsubscribed", source="cli")  # gone: nothing to do


def test_unknown_status_or_source_is_a_programming_error(store: SubscriberStore) -> None:
    subscriber, _ = store.add("a@example.com")
    with pytest.raises(ValueError, match="unknown status"):
        store.set_status(subscriber.id, "deleted", source="cli")
    with pytest.raises(ValueError, match="unknown event source"):
        store.set_status(subscriber.id, "bounced", source="webhook")


@pytest.mark.parametrize("suppressed", ["unsubscribed", "bounced", "complained"])
def test_suppressed_subscribers_are_never_resurrected(
    store: SubscriberStore, suppressed: str
) -> None:
    subscriber, _ = store.add("a@example.com")
    store.set_status(subscriber.id, suppressed, source="cli")
    again, created = store.add("A@example.com", source="import")
    assert not created and again.status == suppressed
    for source in ("import", "bounce", "complaint", "one-click", "unsubscribe-link"):
        with pytest.raises(ValueError, match="may not"):
            store.set_status(subscriber.id, "active", source=source)
    assert store.get("a@example.com").status == suppressed  # type: ignore[union-attr]
    assert list(store.iter_active()) == []
    # Only the operator, or the person's own signup, may bring them back.
    assert store.set_status(subscriber.id, "pending", source="signup")
    assert store.set_status(subscriber.id, "active", source="signup")


def test_list_filters_and_pages_in_join_order(store: SubscriberStore) -> None:
    for index in range(7):
        subscriber, _ = store.add(f"user{index}@example.com")
        if index % 3 == 0:
            store.unsubscribe(subscriber.id, source="cli")
    everyone = store.list()
    assert [s.email for s in everyone] == [f"user{i}@example.com" for i in range(7)]
    assert [s.email for s in store.list(limit=2, offset=3)] == [
        "user3@example.com",
        "user4@example.com",
    ]
    unsubscribed = store.list(status="unsubscribed")
    assert [s.email for s in unsubscribed] == [
        "user0@example.com",
        "user3@example.com",
        "user6@example.com",
    ]
    assert store.list(status="bounced") == []
    with pytest.raises(ValueError):
        store.list(status="gone")


def test_count_by_status_has_every_status(store: SubscriberStore) -> None:
    assert store.count_by_status() == dict.fromkeys(STATUSES, 0)
    store.add("a@example.com")
    store.add("b@example.com", source="signup", status="pending")
    bounced, _ = store.add("c@example.com")
    store.set_status(bounced.id, "bounced", source="bounce")
    assert store.count_by_status() == {
        "pending": 1,
        "active": 1,
        "unsubscribed": 0,
        "bounced": 1,
        "complained": 0,
    }


def test_iter_active_streams_every_active_subscriber_once_in_id_order(
    store: SubscriberStore,
) -> None:
    ids = []
    for index in range(23):
        subscriber, _ = store.add(f"user{index}@example.com")
        ids.append(subscriber.id)
        if index % 4 == 0:
            store.unsubscribe(subscriber.id, source="cli")
    expected = [sid for index, sid in enumerate(ids) if index % 4 != 0]
    assert [s.id for s in store.iter_active(batch_size=5)] == expected
    assert [s.id for s in store.iter_active(batch_size=1000)] == expected
    assert [s.id for s in store.iter_active(batch_size=len(expected))] == expected


def test_iter_active_sees_an_unsubscribe_made_during_the_walk(store: SubscriberStore) -> None:
    ids = [store.add(f"user{index}@example.com")[0].id for index in range(10)]
    walked = []
    for subscriber in store.iter_active(batch_size=3):
        walked.append(subscriber.id)
        if subscriber.id == ids[1]:
            store.unsubscribe(ids[8], source="one-click")  # clicked while the send runs
    assert ids[8] not in walked
    assert walked == [sid for sid in ids if sid != ids[8]]


def test_forget_erases_the_person_and_blocks_re_adding(
    store: SubscriberStore, database_url: str
) -> None:
    # Another package's table holding data about subscribers (like the send log),
    # declared on its own metadata so this process's shared metadata does not know it.
    other = Table(
        "other_log",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("subscriber_id", Integer, nullable=False),
        Column("email", String(320)),
    )
    other.create(store.engine)
    kim, _ = store.add("kim@example.com", "Kim")
    lee, _ = store.add("lee@example.com", "Lee")
    store.unsubscribe(kim.id, source="cli")
    with store.engine.begin() as connection:
        connection.execute(
            other.insert(),
            [
                {"subscriber_id": kim.id, "email": "kim@example.com"},
                {"subscriber_id": lee.id, "email": "lee@example.com"},
            ],
        )
    assert store.forget("KIM@example.com")
    assert store.get("kim@example.com") is None
    assert store.get_by_id(kim.id) is None
    assert store.events(kim.id) == []
    with store.engine.connect() as connection:
        assert connection.execute(select(other.c.email)).scalars().all() == ["lee@example.com"]
        stored = connection.execute(select(schema.subscribers.c.email)).scalars().all()
        events = connection.scalar(select(func.count()).select_from(schema.subscriber_events))
    assert stored == ["lee@example.com"]
    assert events == 1  # Lee's
    assert store.is_forgotten("kim@example.com")
    with pytest.raises(ForgottenAddress, match="erased"):
        store.add("kim@example.com", source="cli")
    with pytest.raises(ForgottenAddress):
        store.add("Kim@Example.com", source="import")
    assert not store.forget("kim@example.com")  # nothing left; still tombstoned
    # The person's own signup is fresh consent; their new id is never the old one.
    back, created = store.add("kim@example.com", source="signup", status="pending")
    assert created and back.status == "pending" and back.id > lee.id
    assert not store.is_forgotten("kim@example.com")


def test_forget_never_reuses_the_id_of_the_newest_subscriber(store: SubscriberStore) -> None:
    store.add("a@example.com")
    newest, _ = store.add("b@example.com")
    store.forget("b@example.com")
    later, _ = store.add("c@example.com")
    assert later.id > newest.id  # an old unsubscribe link for b must not hit c


@pytest.mark.slow
def test_concurrent_adds_of_the_same_addresses_from_two_processes(
    database_url: str, tmp_path: pytest.TempPathFactory
) -> None:
    addresses = [f"User{index}@Example.com" for index in range(150)]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    orders = [addresses, [a.lower() for a in random.Random(7).sample(addresses, len(addresses))]]
    workers = [
        context.Process(target=add_all, args=(database_url, order, barrier, results))
        for order in orders
    ]
    for worker in workers:
        worker.start()
    created = [results.get(timeout=120) for _ in workers]
    for outcome in created:
        assert isinstance(outcome, list), outcome  # else: the child's traceback
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    # Every address created exactly once, by one process or the other.
    assert sorted(created[0] + created[1]) == sorted(set(created[0] + created[1]))
    assert len(created[0]) + len(created[1]) == len(addresses)
    store = SubscriberStore(ready(database_url))
    assert store.count_by_status()["active"] == len(addresses)
    with store.engine.connect() as connection:
        events = connection.scalar(select(func.count()).select_from(schema.subscriber_events))
    assert events == len(addresses)


def test_unsubscribe_many_changes_each_receiving_subscriber_once(store: SubscriberStore) -> None:
    people = [store.add(f"p{i}@example.com")[0] for i in range(5)]
    bounced = people[4]
    store.set_status(bounced.id, "bounced", source="bounce")
    ids = [p.id for p in people]
    changed = store.unsubscribe_many([*ids, ids[0], 10_000], source="one-click")
    assert changed == set(ids[:4])  # the bounced one keeps its status; unknown ids ignored
    assert store.get_by_id(bounced.id).status == "bounced"
    for person in people[:4]:
        assert [(e.status, e.source) for e in store.events(person.id)] == [
            ("active", "cli"),
            ("unsubscribed", "one-click"),
        ]
    assert store.unsubscribe_many(ids, source="one-click") == set()  # idempotent
    assert store.unsubscribe_many([], source="one-click") == set()
