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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsletter.feedback.record import FeedbackRecorder, MalformedNotification
from newsletter.feedback.ses import json_object, parse_notification

if TYPE_CHECKING:
    from newsletter.config import Settings

BATCH = 10  # SQS's maximum per ReceiveMessage


@dataclass
class PollReport:
    received: int = 0
    recorded: int = 0
    duplicates: int = 0
    ignored: int = 0  # valid notifications with nothing to do (Delivery, …)
    changed: int = 0  # subscribers whose status changed
    failed: list[str] = field(default_factory=list)  # left in the queue, with the reason

    def to_json(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "ignored": self.ignored,
            "changed": self.changed,
            "failed": self.failed,
        }


class PollError(Exception):
    """The queue cannot be read at all (configuration, credentials); one line for the user."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def run_poll(settings: Settings) -> PollReport:
    """`newsletter feedback poll`: the configured queue into the configured database."""
    from sqlalchemy.exc import SQLAlchemyError

    from newsletter.audience.store import SubscriberStore

    if not settings.feedback.queue_url:
        raise PollError(f"{settings.path}: feedback.queue_url is not set", code=2)
    try:
        store = SubscriberStore.open(settings)
        recorder = FeedbackRecorder(
            store, settings.feedback.transient_bounce_limit, settings.feedback.transient_bounce_days
        )
        return poll(settings, recorder)
    except SQLAlchemyError as exc:
        # whatever was not recorded is still in the queue
        raise PollError(f"database error, nothing lost: {exc.__class__.__name__}: {exc}") from None


def sqs_client(settings: Settings) -> Any:
    import boto3

    options: dict[str, Any] = {"region_name": settings.feedback.region or settings.sender.region}
    if settings.feedback.endpoint_url:
        options["endpoint_url"] = settings.feedback.endpoint_url
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
    settings: Settings,
    recorder: FeedbackRecorder,
    *,
    client: Any = None,
    wait_seconds: int = 1,
    max_batches: int = 1000,
) -> PollReport:
    """Receive until the queue is empty (or only failing messages are left), record, delete."""
    from botocore.exceptions import BotoCoreError, ClientError

    queue_url = settings.feedback.queue_url
    if not queue_url:
        raise PollError(f"{settings.path}: feedback.queue_url is not set")
    client = client or sqs_client(settings)
    report = PollReport()
    failed_ids: set[str] = set()
    for _ in range(max_batches):
        try:
            answer = client.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=BATCH,
                WaitTimeSeconds=wait_seconds,
                AttributeNames=["ApproximateReceiveCount"],
            )
        except (BotoCoreError, ClientError) as exc:
            raise PollError(f"cannot read {queue_url}: {exc}") from None
        messages = answer.get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in failed_ids]
        if not fresh:
            return report  # empty, or only messages that already failed in this run
        for message in fresh:
            report.received += 1
            try:
                _handle(message, recorder, report)
            except MalformedNotification as exc:
                # Set aside, not deleted: after maxReceiveCount SQS moves it to the
                # dead-letter queue, where a person can look at it; the rest goes on.
                failed_ids.add(message["MessageId"])
                report.failed.append(f"{message['MessageId']}: {exc} ({_received(message)})")
                continue
            try:
                client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            except (BotoCoreError, ClientError) as exc:
                # recorded already: the redelivery will be recognised as a duplicate
                raise PollError(f"cannot delete a recorded message: {exc}") from None
    return report


def _received(message: dict[str, Any]) -> str:
    """`received 3 times`: how close it is to the queue's dead-letter policy."""
    count = message.get("Attributes", {}).get("ApproximateReceiveCount", "?")
    return f"received {count} time{'' if count == '1' else 's'}"


def _handle(message: dict[str, Any], recorder: FeedbackRecorder, report: PollReport) -> None:
    key, notification = unwrap(message.get("Body", ""), message["MessageId"])
    feedback = parse_notification(notification)
    outcome = recorder.record(key, feedback, "sqs")
    if outcome.duplicate:
        report.duplicates += 1
    elif feedback is None:
        report.ignored += 1
    else:
        report.recorded += 1
    report.changed += len(outcome.changed)
