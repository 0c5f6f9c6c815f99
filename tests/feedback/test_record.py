"""Recording SES feedback on SQLite and on a real PostgreSQL server (the upsert differs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsletter.audience.store import SubscriberStore
from newsletter.db import ready
from newsletter.feedback.record import FeedbackRecorder, MalformedNotification
from newsletter.feedback.retention import Pruned, prune
from newsletter.feedback.ses import parse_notification
from tests.feedback.sns_signing import bounce, complaint, delivery


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> SubscriberStore:
    if request.param == "sqlite":
        return SubscriberStore(ready(f"sqlite:///{tmp_path / 'newsletter.db'}"))
    return SubscriberStore(ready(request.getfixturevalue("postgres_url")))


def test_soft_bounces_count_once_per_message_and_suppress_at_the_limit(
    store: SubscriberStore,
) -> None:
    recorder = FeedbackRecorder(store, transient_limit=2)
    person, _ = store.add("soft@example.com")
    soft = parse_notification(bounce("soft@example.com", "Transient"))
    assert recorder.record("m-1", soft, "sns").counted == [(person.id, 1)]
    assert recorder.record("m-1", soft, "sqs").duplicate  # same message, other path
    assert recorder.transient_count(person.id) == 1
    assert store.get_by_id(person.id).status == "active"
    outcome = recorder.record("m-2", soft, "sns")
    assert outcome.changed == [(person.id, "bounced")]
    assert store.get_by_id(person.id).status == "bounced"
    # a bounced address is not counted further
    assert recorder.record("m-3", soft, "sns").counted == []
    assert recorder.transient_count(person.id) == 2


def test_complaint_wins_and_bounce_does_not_override_it(store: SubscriberStore) -> None:
    recorder = FeedbackRecorder(store, transient_limit=3)
    person, _ = store.add("angry@example.com")
    recorder.record("c-1", parse_notification(complaint("Angry@Example.com")), "sns")
    recorder.record("b-1", parse_notification(bounce("angry@example.com")), "sns")
    assert store.get_by_id(person.id).status == "complained"
    assert [(e.status, e.source) for e in store.events(person.id)] == [
        ("active", "cli"),
        ("complained", "complaint"),
    ]


def test_forget_erases_the_soft_bounce_count(store: SubscriberStore) -> None:
    recorder = FeedbackRecorder(store, transient_limit=5)
    person, _ = store.add("gone@example.com")
    recorder.record("s-1", parse_notification(bounce("gone@example.com", "Transient")), "sns")
    assert recorder.transient_count(person.id) == 1
    assert store.forget("gone@example.com")
    assert recorder.transient_count(person.id) == 0


def test_notification_shapes() -> None:
    event = bounce("x@example.com")
    event["eventType"] = event.pop("notificationType")  # configuration-set event publishing
    parsed = parse_notification(event)
    assert parsed is not None and parsed.recipients == ("x@example.com",)
    assert parse_notification(delivery("x@example.com")) is None
    assert parse_notification({"notificationType": "AmazonSnsSubscriptionSucceeded"}) is None
    named = bounce("x@example.com")
    named["bounce"]["bouncedRecipients"][0]["emailAddress"] = '"X" <x@example.com>'
    assert parse_notification(named).recipients == ("x@example.com",)
    for bad in ("nope", "[]", {"bounce": {}}, {"notificationType": "Bounce"}):
        with pytest.raises(MalformedNotification):
            parse_notification(bad)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 2, 7, 7, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_soft_bounces_far_apart_start_the_count_again(store: SubscriberStore) -> None:
    clock = Clock()
    recorder = FeedbackRecorder(store, transient_limit=2, transient_days=30, clock=clock)
    person, _ = store.add("full@example.com")
    soft = parse_notification(bounce("full@example.com", "Transient"))
    assert recorder.record("y-1", soft, "sns").counted == [(person.id, 1)]
    clock.now += timedelta(days=45)  # a mailbox full once in a while is not a dead address
    assert recorder.record("y-2", soft, "sns").counted == [(person.id, 1)]
    assert store.get_by_id(person.id).status == "active"
    clock.now += timedelta(days=29)  # within the window: the second one counts
    assert recorder.record("y-3", soft, "sns").changed == [(person.id, "bounced")]


def test_daily_pruning_forgets_old_ids_and_quiet_counts(store: SubscriberStore) -> None:
    clock = Clock()
    recorder = FeedbackRecorder(store, transient_limit=5, transient_days=30, clock=clock)
    quiet, _ = store.add("quiet@example.com")
    recent, _ = store.add("recent@example.com")
    recorder.record("old-1", parse_notification(bounce("quiet@example.com", "Transient")), "sqs")
    clock.now += timedelta(days=20)
    recorder.record("new-1", parse_notification(bounce("recent@example.com", "Transient")), "sns")
    clock.now += timedelta(days=15)  # old-1 is 35 days old, new-1 15
    pruned = prune(store.engine, clock.now, transient_days=30)
    assert pruned == Pruned(messages=1, soft_bounce_counts=1)
    assert recorder.transient_count(quiet.id) == 0
    assert recorder.transient_count(recent.id) == 1
    assert not recorder.seen("old-1") and recorder.seen("new-1")
    assert prune(store.engine, clock.now, transient_days=30) == Pruned()
