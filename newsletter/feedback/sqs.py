"""`newsletter feedback poll`: drain SES notifications from an SQS queue, then exit.

For senders without a public HTTPS endpoint: SES → SNS → SQS, and a cron job
polls. A message is deleted only after its notification is recorded, so a crash
or a database outage loses nothing (SQS hands it out again after its visibility
timeout); a redelivered message is recognised by its id and counted once.

The queue's IAM policy is the trust boundary here (only our topic may send to
it), so SNS signatures are not re-checked: that would need the certificate
download from AWS for every run to prove what IAM already guarantees.

Both SNS deliveries are understood: the JSON envelope (idempotency key: the SNS
MessageId) and raw message delivery (key: the SES feedbackId).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy.exc import SQLAlchemyError

from newsletter.audience.store import SubscriberStore
from newsletter.config import FeedbackSettings
from newsletter.feedback.event_log import EventLog
from newsletter.feedback.intake import Intake, Notification, read
from newsletter.feedback.record import FeedbackRecorder, MalformedNotification
from newsletter.feedback.ses import json_object

BATCH = 10  # SQS's maximum per ReceiveMessage and per DeleteMessageBatch
# Receives in flight at once. A region's SQS answers in 10–30 ms: at 20 ms, four made
# 1,200–1,350 events/s and eight 1,950–2,170 (bench/events.py's stub); at once, both ≈2,500.
RECEIVERS = 8
THREADS = RECEIVERS + 2  # and deletes: within botocore's 10 pooled connections


@dataclass
class PollReport:
    received: int = 0
    recorded: int = 0
    duplicates: int = 0
    ignored: int = 0  # valid notifications with nothing to do (a test event, …)
    changed: int = 0  # subscribers whose status changed
    events: int = 0  # delivery events stored (delivery, open, click, …)
    failed: list[str] = field(default_factory=list)  # left in the queue, with the reason

    def to_json(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "ignored": self.ignored,
            "changed": self.changed,
            "events": self.events,
            "failed": self.failed,
        }


class PollError(Exception):
    """The queue cannot be read at all (configuration, credentials); one line for the user."""


class QueueNotConfigured(PollError):
    """No `feedback.queue_url`: the configuration must change before a poll can work (the
    caller names its file)."""

    def __init__(self) -> None:
        super().__init__("feedback.queue_url is not set")


def run_poll(
    feedback: FeedbackSettings,
    region: str,
    open_store: Callable[[], SubscriberStore],
    unsubscribe_mailbox: str = "",
) -> PollReport:
    """`newsletter feedback poll`: the queue of `feedback` into the store `open_store` opens
    (opened only once the queue is known, and a database error there loses nothing).

    `region` is the sender's, used when `feedback.region` is empty.
    """
    if not feedback.queue_url:
        raise QueueNotConfigured()
    try:
        store = open_store()
        recorder = FeedbackRecorder(
            store,
            feedback.transient_bounce_limit,
            feedback.transient_bounce_days,
            unsubscribe_mailbox=unsubscribe_mailbox,
        )
        events = EventLog(
            store.engine, track_opens=feedback.track_opens, track_clicks=feedback.track_clicks
        )
        client = sqs_client(feedback, region)
        return poll(feedback.queue_url, Intake(recorder, events), client=client)
    except SQLAlchemyError as exc:
        # whatever was not recorded is still in the queue
        raise PollError(f"database error, nothing lost: {exc.__class__.__name__}: {exc}") from None


def sqs_client(feedback: FeedbackSettings, region: str) -> Any:
    """The SQS client of `feedback` (its region, else `region`: the sender's)."""
    options: dict[str, Any] = {"region_name": feedback.region or region}
    if feedback.endpoint_url:
        options["endpoint_url"] = feedback.endpoint_url
    return boto3.client("sqs", **options)


def unwrap(body: str, sqs_message_id: str) -> tuple[str, dict[str, Any]]:
    """(idempotency key, SES notification) from one SQS message body."""
    outer = json_object(body, "the SQS message")
    if outer.get("Type") == "Notification" and isinstance(outer.get("Message"), str):
        inner = json_object(outer["Message"], "the SNS Message")
        return f"sns:{outer.get('MessageId') or sqs_message_id}", inner
    for key in ("bounce", "complaint", "delivery"):
        part = outer.get(key)
        if isinstance(part, dict) and part.get("feedbackId"):
            return f"ses:{part['feedbackId']}", outer
    return f"sqs:{sqs_message_id}", outer


def poll(
    queue_url: str,
    intake: Intake,
    *,
    client: Any,
    wait_seconds: int = 1,
    max_batches: int = 1000,
) -> PollReport:
    """Receive until the queue is empty (or only failing messages are left), record, delete."""
    if not queue_url:
        raise QueueNotConfigured()
    poller = _Poller(client, queue_url, intake, wait_seconds)
    return poller.run(max_batches)


class _Poller:
    """Keeps `RECEIVERS` receives in flight on threads and records on the calling thread.

    One receive is a round trip to SQS that mostly waits (tens of milliseconds in a
    region, for ten messages at most); one at a time, the wait is the rate. So
    several are in flight, and whatever has arrived when the last recording
    finished is recorded together, in one transaction. Deletes go out on the threads
    after the commit: a message is never deleted before it is recorded, and one
    recorded but not deleted (a crash, a failed delete) comes back and is counted
    once by its key. Only the calling thread touches the database.
    """

    def __init__(self, client: Any, queue_url: str, intake: Intake, wait_seconds: int) -> None:
        self.client = client
        self.queue_url = queue_url
        self.intake = intake
        self.wait_seconds = wait_seconds
        self.report = PollReport()
        self.failed_ids: set[str] = set()

    def run(self, max_batches: int) -> PollReport:
        issued, drained = 0, False
        receiving: set[Future[list[dict[str, Any]]]] = set()
        deleting: list[Future[None]] = []
        with ThreadPoolExecutor(THREADS, thread_name_prefix="sqs-poll") as threads:
            while True:
                while not drained and issued < max_batches and len(receiving) < RECEIVERS:
                    receiving.add(threads.submit(self._receive))
                    issued += 1
                if not receiving:
                    break
                arrived, receiving = wait(receiving, return_when=FIRST_COMPLETED)
                messages = []
                for answer in arrived:
                    fresh = [m for m in answer.result() if m["MessageId"] not in self.failed_ids]
                    drained = drained or not fresh  # empty, or only what already failed
                    messages.extend(fresh)
                if messages:
                    done = take_batch(messages, self.intake, self.report)
                    kept = {m["MessageId"] for m in done}
                    self.failed_ids.update(
                        m["MessageId"] for m in messages if m["MessageId"] not in kept
                    )
                    for start in range(0, len(done), BATCH):
                        deleting.append(threads.submit(self._delete, done[start : start + BATCH]))
                for deletion in [d for d in deleting if d.done()]:
                    deletion.result()  # a failed delete stops the poll
                    deleting.remove(deletion)
            for deletion in deleting:
                deletion.result()
        return self.report

    def _receive(self) -> list[dict[str, Any]]:
        try:
            answer = self.client.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=BATCH,
                WaitTimeSeconds=self.wait_seconds,
                AttributeNames=["ApproximateReceiveCount"],
            )
        except (BotoCoreError, ClientError) as exc:
            raise PollError(f"cannot read {self.queue_url}: {exc}") from None
        return list(answer.get("Messages", []))

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        entries = [
            {"Id": str(number), "ReceiptHandle": message["ReceiptHandle"]}
            for number, message in enumerate(messages)
        ]
        try:
            answer = self.client.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        except (BotoCoreError, ClientError) as exc:
            # recorded already: the redelivery will be recognised as a duplicate
            raise PollError(f"cannot delete recorded messages: {exc}") from None
        # An invalid handle: SQS handed the message to two receives at once (it may), and
        # the other one's delete came first; or its handle expired and it will come back,
        # to be counted once by its key. Either way it is recorded: nothing to stop for.
        failed = [f for f in answer.get("Failed", []) if f.get("Code") != "ReceiptHandleIsInvalid"]
        if failed:
            raise PollError(f"cannot delete recorded messages: {failed[0].get('Message', '')}")


def take_batch(
    messages: list[dict[str, Any]], intake: Intake, report: PollReport
) -> list[dict[str, Any]]:
    """Record one receive's messages (their events in one transaction); the messages that
    may be deleted. An unreadable one is set aside, not deleted: after maxReceiveCount SQS
    moves it to the dead-letter queue, where a person can look at it; the rest goes on."""
    readable: list[tuple[dict[str, Any], Notification]] = []
    for message in messages:
        report.received += 1
        try:
            key, document = unwrap(message.get("Body", ""), message["MessageId"])
            readable.append((message, read(key, document)))
        except MalformedNotification as exc:
            report.failed.append(f"{message['MessageId']}: {exc} ({_received(message)})")
    taken = intake.record([notification for _message, notification in readable], "sqs")
    for result in taken:
        if result.outcome.duplicate:
            report.duplicates += 1
        elif not result.relevant:
            report.ignored += 1
        else:
            report.recorded += 1
        report.changed += len(result.outcome.changed)
        report.events += result.events.stored
    return [message for message, _notification in readable]


def _received(message: dict[str, Any]) -> str:
    """`received 3 times`: how close it is to the queue's dead-letter policy."""
    count = message.get("Attributes", {}).get("ApproximateReceiveCount", "?")
    return f"received {count} time{'' if count == '1' else 's'}"
