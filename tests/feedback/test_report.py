"""`report.build` on a database with two editions: counts, bounce grades, who left after which."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, update

from newsletter.audience.store import SubscriberStore
from newsletter.feedback.event_log import EventLog
from newsletter.feedback.events import parse_events
from newsletter.feedback.report import Tracking, build, normal_url, ready, recent_editions
from newsletter.runtime import Runtime
from newsletter.schema import send_log, subscriber_events
from tests.feedback.ses_events import event
from tests.web.conftest import write_config

PEOPLE = [f"p{i}@example.com" for i in range(5)]


def sent_log(store: SubscriberStore, edition: str, at: datetime, failed: str = "") -> None:
    rows = []
    for address in PEOPLE:
        person = store.get(address)
        assert person is not None
        rows.append(
            {
                "edition": edition,
                "subscriber_id": person.id,
                "email": address,
                "state": "failed" if address == failed else "sent",
                "message_id": f"{edition}-{address}",
                "attempts": 1,
                "created_at": at,
                "updated_at": at,
            }
        )
    with store.engine.begin() as connection:
        connection.execute(insert(send_log), rows)


def test_two_editions_are_counted_apart_and_leavers_go_to_their_last_edition(
    tmp_path: Path,
) -> None:
    store = Runtime(write_config(tmp_path, "http://127.0.0.1:8000")).subscribers
    ready(store.engine)
    for address in PEOPLE:
        store.add(address)
    sent_log(store, "2026-02-07", datetime(2026, 2, 7, 7, tzinfo=UTC), failed=PEOPLE[4])
    sent_log(store, "2026-02-08", datetime(2026, 2, 8, 7, tzinfo=UTC))
    documents = [
        event("Delivery", PEOPLE[0], message_id="2026-02-07-" + PEOPLE[0]),
        event("Bounce", PEOPLE[1], message_id="x", edition="2026-02-07"),
        event("Bounce", PEOPLE[2], message_id="y", bounce_type="Transient"),
        event("Complaint", PEOPLE[3], message_id="z", edition="2026-02-08"),
        event("Reject", PEOPLE[0], message_id="w", edition="2026-02-08"),
        event("DeliveryDelay", PEOPLE[1], message_id="v", edition="2026-02-08"),
        event("Open", PEOPLE[0], message_id="u", edition="2026-02-08"),
        # no edition tag (sent before tags, or a relay that drops them): the send log knows
        event("Delivery", PEOPLE[4], message_id="2026-02-08-" + PEOPLE[4], edition=""),
    ]
    EventLog(store.engine, track_opens=True).record(
        [found for document in documents for found in parse_events(document)]
    )
    # p0 leaves between the editions, p1 after the second; the clock of the history is set
    for address, when in ((PEOPLE[0], datetime(2026, 2, 7, 20, tzinfo=UTC)), (PEOPLE[1], None)):
        person = store.get(address)
        assert person is not None
        store.unsubscribe(person.id, source="one-click")
        if when is not None:
            events = subscriber_events
            with store.engine.begin() as connection:
                connection.execute(
                    update(events).where(events.c.subscriber_id == person.id).values(time=when)
                )

    assert recent_editions(store.engine, 7) == ["2026-02-08", "2026-02-07"]
    second, first = build(
        store.engine, ["2026-02-08", "2026-02-07"], lambda _e: [], Tracking(opens=True)
    )

    assert (first.list_size, first.sent, first.failed, first.delivered) == (5, 4, 1, 1)
    assert (first.bounced_hard, first.bounced_soft) == (1, 1)
    assert (first.opened, first.clicked, first.unsubscribed) == (0, None, 1)
    assert (second.complained, second.rejected, second.delayed) == (1, 1, 1)
    assert (second.opened, second.unsubscribed, second.delivered) == (1, 1, 1)
    assert second.rate(second.opened) == 1 / 1  # of the delivered ones


def test_urls_written_differently_are_one_page() -> None:
    assert normal_url("HTTPS://Example.com/news/#top") == normal_url("https://example.com/news")
    assert normal_url("https://example.com/?a=1") != normal_url("https://example.com/?a=2")
