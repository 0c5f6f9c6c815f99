"""SES delivery events: read from event-publishing JSON, stored once per event, per edition."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from newsletter import schema
from newsletter.audience.store import SubscriberStore
from newsletter.feedback.event_log import EventLog
from newsletter.feedback.events import parse_events
from newsletter.feedback.intake import Intake
from newsletter.feedback.record import FeedbackRecorder, MalformedNotification
from newsletter.feedback.sqs import poll
from newsletter.runtime import Runtime
from tests.feedback.ses_events import event
from tests.feedback.test_sqs import envelope
from tests.web.conftest import write_config

STORY = "https://www.anthropic.com/news"


@pytest.mark.parametrize(
    ("kind", "extra", "expected", "detail"),
    [
        ("Send", {}, "send", ""),
        ("Delivery", {}, "delivery", ""),
        ("Bounce", {"bounce_type": "Transient"}, "bounce", "Transient/General"),
        ("Complaint", {}, "complaint", "abuse"),
        ("Reject", {}, "reject", "Bad content"),
        ("DeliveryDelay", {}, "delay", "MailboxFull"),
        ("RenderingFailure", {}, "rendering_failure", "Attribute 'name' is not present"),
        ("Open", {}, "open", ""),
        ("Click", {"link": STORY}, "click", ""),
    ],
)
def test_every_event_type_is_read_with_its_edition_and_details(
    kind: str, extra: dict[str, str], expected: str, detail: str
) -> None:
    [found] = parse_events(event(kind, "ann@example.com", message_id="m-1", **extra))
    assert (found.kind, found.message_id, found.recipient) == (expected, "m-1", "ann@example.com")
    assert found.edition == "2026-02-07"
    assert found.detail == detail
    assert found.link == (STORY if kind == "Click" else "")


def test_the_same_event_has_the_same_key_and_another_open_does_not() -> None:
    first = parse_events(event("Open", "ann@example.com", message_id="m-1"))[0]
    again = parse_events(event("Open", "ann@example.com", message_id="m-1"))[0]
    later = parse_events(
        event("Open", "ann@example.com", message_id="m-1", at="2026-02-07T09:00:00.000Z")
    )[0]
    assert first.key == again.key != later.key


def test_a_test_copy_has_no_edition_and_broken_documents_say_what_is_missing() -> None:
    [copy] = parse_events(
        event("Delivery", "a@example.com", message_id="m", edition="2026-02-07-test")
    )
    assert copy.edition == ""
    document = event("Delivery", "a@example.com", message_id="m")
    del document["mail"]["messageId"]
    with pytest.raises(MalformedNotification, match="messageId"):
        parse_events(document)
    with pytest.raises(MalformedNotification, match=r"click\.link"):
        parse_events({**event("Open", "a@example.com", message_id="m"), "eventType": "Click"})
    assert parse_events({"eventType": "Subscription", "mail": {}}) == []


@pytest.fixture
def store(tmp_path: Path) -> SubscriberStore:
    settings = write_config(tmp_path, "http://127.0.0.1:8000")
    made = Runtime(settings).subscribers
    for address in ("ann@example.com", "ben@example.com"):
        made.add(address)
    return made


def stored(store: SubscriberStore) -> list[tuple[str | None, int | None, str, str]]:
    table = schema.delivery_events
    query = select(table.c.edition, table.c.subscriber_id, table.c.kind, table.c.detail)
    with store.engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(query)]
    return sorted(rows, key=lambda row: (row[1] or 0, row[2]))


def test_events_are_stored_once_and_opens_and_clicks_only_when_tracked(
    store: SubscriberStore,
) -> None:
    ann = store.get("ann@example.com").id
    documents = [
        event("Delivery", "ann@example.com", message_id="m-1"),
        event("Open", "ann@example.com", message_id="m-1"),
        event("Click", "ann@example.com", message_id="m-1", link=STORY),
        event("Delivery", "zed@example.org", message_id="m-9"),  # not on the list
    ]
    events = [found for document in documents for found in parse_events(document)]

    private = EventLog(store.engine).record(events)
    assert (private.stored, private.untracked, private.unattributed) == (2, 2, 1)
    tracked = EventLog(store.engine, track_opens=True, track_clicks=True)
    result = tracked.record(events)
    assert (result.stored, result.duplicates) == (2, 2)
    assert tracked.record(events).stored == 0

    assert stored(store) == [
        ("2026-02-07", None, "delivery", ""),
        ("2026-02-07", ann, "click", ""),
        ("2026-02-07", ann, "delivery", ""),
        ("2026-02-07", ann, "open", ""),
    ]


def test_forget_erases_the_persons_events(store: SubscriberStore) -> None:
    from newsletter.audience.erasure import forget

    EventLog(store.engine).record(
        parse_events(event("Delivery", "ann@example.com", message_id="m-1"))
    )
    assert forget(store.engine, "ann@example.com")
    assert stored(store) == []


def test_the_poll_path_records_each_event_once(ses, tmp_path: Path) -> None:
    client = ses.client("sqs")
    url = client.create_queue(QueueName=f"ses-events-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    settings = write_config(
        tmp_path,
        "http://127.0.0.1:8000",
        feedback={"queue_url": url, "endpoint_url": ses.url, "track_clicks": True},
    )
    store = Runtime(settings).subscribers
    store.add("ann@example.com")
    delivered = event("Delivery", "ann@example.com", message_id="m-1")
    clicked = event("Click", "ann@example.com", message_id="m-1", link=STORY)
    bounced = event("Bounce", "ann@example.com", message_id="m-2", edition="2026-02-08")
    for body in (
        envelope(delivered),
        envelope(delivered),  # SES published it twice: two SNS messages, one event
        json.dumps(clicked),  # raw message delivery
        json.dumps(clicked),
        envelope(event("Open", "ann@example.com", message_id="m-1")),  # tracking is off
        envelope(bounced),
    ):
        client.send_message(QueueUrl=url, MessageBody=body)

    recorder = FeedbackRecorder(store, settings.feedback.transient_bounce_limit)
    events = EventLog(store.engine, track_clicks=True)
    report = poll(
        settings.feedback.queue_url, Intake(recorder, events), client=client, wait_seconds=0
    )

    assert report.received == 6 and report.failed == []
    assert report.events == 3
    assert [kind for _edition, _id, kind, _detail in stored(store)] == [
        "bounce",
        "click",
        "delivery",
    ]
    assert store.get("ann@example.com").status == "bounced"  # and the bounce did its job


def test_events_older_than_a_year_and_a_bit_are_pruned(store: SubscriberStore) -> None:
    from datetime import UTC, datetime

    from newsletter.feedback.retention import prune

    EventLog(store.engine).record(
        parse_events(
            event("Delivery", "ann@example.com", message_id="old", at="2025-01-02T07:00:00Z")
        )
        + parse_events(event("Delivery", "ann@example.com", message_id="new"))
    )
    pruned = prune(store.engine, datetime(2026, 2, 10, tzinfo=UTC), transient_days=30)
    assert pruned.events == 1
    assert len(stored(store)) == 1
