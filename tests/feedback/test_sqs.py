"""`newsletter feedback poll` against a real SQS API (moto server on 127.0.0.1)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import func, select
from typer.testing import CliRunner

from newsletter import schema
from newsletter.audience.store import SubscriberStore
from newsletter.config import Settings
from newsletter.feedback.event_log import EventLog
from newsletter.feedback.intake import Intake
from newsletter.feedback.record import FeedbackRecorder
from newsletter.feedback.sqs import PollError, poll
from newsletter.runtime import Runtime
from tests.feedback.sns_signing import bounce, complaint, delivery
from tests.fixtures.command import wait_until
from tests.web.conftest import TOPIC, write_config

PEOPLE = ["ann@example.com", "ben@example.com", "cho@example.kr", "dan@example.com"]


@dataclass
class Queue:
    url: str
    client: Any
    settings: Settings
    store: SubscriberStore
    recorder: FeedbackRecorder
    intake: Intake

    def send(self, body: str) -> None:
        self.client.send_message(QueueUrl=self.url, MessageBody=body)

    def depth(self) -> tuple[int, int]:
        """(visible, in flight): in flight = received, not deleted."""
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return (
            int(attributes["ApproximateNumberOfMessages"]),
            int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        )

    def status(self, address: str) -> str:
        subscriber = self.store.get(address)
        assert subscriber is not None
        return subscriber.status


def envelope(payload: dict[str, Any], message_id: str = "") -> str:
    """What SNS puts into SQS without raw message delivery."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": TOPIC,
            "Message": json.dumps(payload),
            "Timestamp": "2026-02-07T07:00:06.000Z",
            "SignatureVersion": "1",
            "Signature": "c2lnbmF0dXJl",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/x.pem",
        }
    )


@pytest.fixture
def queue(ses, tmp_path: Path) -> Queue:  # `ses`: an empty moto server and dummy credentials
    client = ses.client("sqs")
    url = client.create_queue(
        QueueName=f"ses-feedback-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "1"}
    )["QueueUrl"]
    settings = write_config(
        tmp_path,
        "http://127.0.0.1:8000",
        feedback={"queue_url": url, "endpoint_url": ses.url},
    )
    store = Runtime(settings).subscribers
    for address in PEOPLE:
        store.add(address)
    recorder = FeedbackRecorder(store, settings.feedback.transient_bounce_limit)
    intake = Intake(recorder, EventLog(store.engine))
    return Queue(url, client, settings, store, recorder, intake)


def test_each_notification_recorded_once_then_deleted(queue: Queue) -> None:
    repeated = str(uuid.uuid4())
    bounced, complained = bounce("ann@example.com"), complaint("ben@example.com", "fb-1")
    queue.send(envelope(bounced, repeated))
    queue.send(envelope(bounced, repeated))  # SNS delivered it twice
    queue.send(json.dumps(complained))  # raw delivery
    queue.send(json.dumps(complained))
    queue.send(envelope(bounce("cho@example.kr", "Transient")))
    queue.send(envelope(delivery("dan@example.com")))

    report = poll(queue.url, queue.intake, client=queue.client, wait_seconds=0)

    assert report.received == 6
    # the Delivery is kept in the event log (for `newsletter report`), changing nobody
    assert (report.recorded, report.duplicates, report.ignored) == (4, 2, 0)
    assert report.events == 4 and report.changed == 2
    assert report.failed == []
    assert queue.status("ann@example.com") == "bounced"
    assert queue.status("ben@example.com") == "complained"
    assert queue.status("cho@example.kr") == "active"
    assert queue.recorder.transient_count(queue.store.get("cho@example.kr").id) == 1
    assert queue.status("dan@example.com") == "active"
    assert queue.depth() == (0, 0), "every recorded message was deleted"

    again = poll(queue.url, queue.intake, client=queue.client, wait_seconds=0)
    assert again.received == 0
    assert [e.source for e in queue.store.events(queue.store.get("ann@example.com").id)] == [
        "cli",
        "bounce",
    ]


def test_message_is_deleted_only_after_it_is_recorded(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue.send(envelope(bounce("ann@example.com", "Transient")))

    def database_down(*_: Any) -> None:
        raise RuntimeError("database is down")

    with monkeypatch.context() as patch:
        patch.setattr(queue.recorder, "record", database_down)
        with pytest.raises(RuntimeError):
            poll(queue.url, queue.intake, client=queue.client, wait_seconds=0)
    assert sum(queue.depth()) == 1, "the unrecorded message is still in the queue"

    def redelivered() -> bool:  # once its visibility timeout (1 s) is over
        return poll(queue.url, queue.intake, client=queue.client, wait_seconds=0).recorded == 1

    wait_until(redelivered)
    assert queue.recorder.transient_count(queue.store.get("ann@example.com").id) == 1
    assert queue.depth() == (0, 0)


def test_unreadable_message_stays_for_the_dead_letter_queue(queue: Queue) -> None:
    queue.send("this is not json")
    queue.send(envelope({"notificationType": "Bounce", "bounce": {"bounceType": "Permanent"}}))
    queue.send(envelope(bounce("ann@example.com")))
    report = poll(queue.url, queue.intake, client=queue.client, wait_seconds=0)
    assert report.recorded == 1 and len(report.failed) == 2
    assert "not JSON" in report.failed[0]
    assert "bouncedRecipients" in report.failed[1]
    assert sum(queue.depth()) == 2
    assert queue.status("ann@example.com") == "bounced"


def test_cli_feedback_poll(queue: Queue) -> None:
    from newsletter.cli import app

    queue.send(envelope(complaint("dan@example.com")))
    config = str(queue.settings.path)
    result = CliRunner().invoke(app, ["--config", config, "feedback", "poll", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["recorded"] == 1
    assert queue.status("dan@example.com") == "complained"

    queue.send("garbage")
    result = CliRunner().invoke(app, ["--config", config, "feedback", "poll"])
    assert result.exit_code == 1
    assert "left in the queue" in result.output


def test_cli_without_queue_url(tmp_path: Path) -> None:
    from newsletter.cli import app

    settings = write_config(tmp_path, "http://127.0.0.1:8000")
    result = CliRunner().invoke(app, ["--config", str(settings.path), "feedback", "poll"])
    assert result.exit_code == 2
    assert "feedback.queue_url is not set" in result.output
    assert "Traceback" not in result.output


DEEP = "[" * 2000 + "]" * 2000


def test_a_deeply_nested_message_is_left_aside_and_the_batch_recorded(queue: Queue) -> None:
    """The issue's body in the queue: it used to end every poll with a RecursionError
    before the genuine bounce beside it was recorded."""
    queue.send(DEEP)
    queue.send(envelope({"x": 1})[:-1] + ', "Message": ' + json.dumps(DEEP) + "}")
    raw = json.loads(envelope({"x": 1}))
    raw["Message"] = DEEP  # an SNS envelope around a nested notification
    queue.send(json.dumps(raw))
    queue.send(envelope(bounce("ann@example.com")))

    report = poll(queue.url, queue.intake, client=queue.client, wait_seconds=0)

    assert queue.status("ann@example.com") == "bounced"
    assert report.recorded == 1 and report.received == 4
    assert len(report.failed) == 3 and all("nest" in line for line in report.failed)
    assert sum(queue.depth()) == 3, "left for the queue's dead-letter policy, not deleted"


def test_cli_poll_with_a_deeply_nested_message_says_one_line(queue: Queue) -> None:
    from newsletter.cli import app

    queue.send(DEEP)
    queue.send(envelope(complaint("dan@example.com")))
    config = str(queue.settings.path)
    result = CliRunner().invoke(app, ["--config", config, "feedback", "poll"])
    assert result.exit_code == 1 and "Traceback" not in result.output  # a person should look
    assert not isinstance(result.exception, RecursionError)
    assert queue.status("dan@example.com") == "complained"
    assert "left in the queue" in result.output and "received 1 time" in result.output


def stored_events(queue: Queue) -> int:
    with queue.store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(schema.delivery_events)))


def test_many_receives_in_flight_record_each_notification_once_and_delete_it(
    queue: Queue,
) -> None:
    # 1 s would hand a message out again before its delete on a busy machine: moto then
    # refuses the old receipt handle
    queue.client.set_queue_attributes(QueueUrl=queue.url, Attributes={"VisibilityTimeout": "60"})
    bodies = [envelope(delivery(PEOPLE[number % 4])) for number in range(45)]
    for body in bodies + bodies:  # SNS delivered each twice, far apart
        queue.send(body)
    queue.send(envelope(bounce("cho@example.kr", "Transient")))

    report = poll(queue.url, queue.intake, client=queue.client, wait_seconds=0)

    # SQS may hand a message to two receives in flight at once (moto does): counted once
    assert report.received >= 91 and report.failed == []
    assert report.events == report.recorded == 46
    assert report.duplicates == report.received - 46
    assert stored_events(queue) == 46
    assert queue.recorder.transient_count(queue.store.get("cho@example.kr").id) == 1
    assert queue.depth() == (0, 0)


class DeletesFail:
    """The SQS client of a poll that dies after its commit, before its deletes: the
    messages are recorded and stay in the queue."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def delete_message_batch(self, **_: Any) -> None:
        raise ClientError({"Error": {"Code": "InternalError", "Message": "lost"}}, "Delete")


def test_recorded_but_not_deleted_messages_count_once_when_they_come_back(queue: Queue) -> None:
    for number in range(25):
        queue.send(envelope(delivery(PEOPLE[number % 4])))
    queue.send(envelope(bounce("cho@example.kr", "Transient")))

    with pytest.raises(PollError, match="cannot delete recorded messages"):
        poll(queue.url, queue.intake, client=DeletesFail(queue.client), wait_seconds=0)
    recorded = stored_events(queue)  # the first receives' (the poll stops at the failure)
    assert recorded >= 1
    assert sum(queue.depth()) == 26, "nothing was deleted"
    # they come back after the 1 s they were received with; received again, they stay
    # away long enough to be deleted however busy the machine is
    queue.client.set_queue_attributes(QueueUrl=queue.url, Attributes={"VisibilityTimeout": "60"})

    duplicates = events = 0

    def all_back() -> bool:
        nonlocal duplicates, events
        report = poll(queue.url, queue.intake, client=queue.client, wait_seconds=0)
        duplicates, events = duplicates + report.duplicates, events + report.events
        return queue.depth() == (0, 0)

    wait_until(all_back)
    assert duplicates >= recorded and events == 26 - recorded
    assert stored_events(queue) == 26
    assert queue.recorder.transient_count(queue.store.get("cho@example.kr").id) == 1
