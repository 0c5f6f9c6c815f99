"""SES notifications and events, however they arrived (webhook or queue), taken in whole.

Two things happen to each: a bounce or complaint changes the subscriber
(`record`, once per message id), and every event type goes into the delivery
event log (`event_log`, once per event) for the per-edition report. The events
are stored first: should the process die between the two, the redelivery finds
the events already stored and the status change not yet made, and makes it.

A notification that is only an event (Delivery, Open, …) changes nobody, so it
skips the per-message bookkeeping of `record`: the event's own key makes it
idempotent. That keeps the queue's path at one transaction per batch of receives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from newsletter.feedback.event_log import EventLog, Recorded
from newsletter.feedback.events import DeliveryEvent, parse_events
from newsletter.feedback.record import Feedback, FeedbackRecorder, MalformedNotification, Outcome
from newsletter.feedback.ses import json_object, parse_notification

log = logging.getLogger("newsletter.feedback")


@dataclass(frozen=True)
class Notification:
    """One document, read: what it does to a subscriber and the events it reports."""

    key: str  # idempotency key of the message that carried it
    feedback: Feedback | None
    events: list[DeliveryEvent]

    @property
    def relevant(self) -> bool:
        return self.feedback is not None or bool(self.events)


@dataclass
class Taken:
    outcome: Outcome
    events: Recorded = field(default_factory=Recorded)
    relevant: bool = True  # False: a valid document with nothing for us

    def to_json(self) -> dict[str, Any]:
        answer = self.outcome.to_json()
        answer["events"] = self.events.stored
        return answer


class Intake:
    def __init__(self, recorder: FeedbackRecorder, events: EventLog) -> None:
        self.recorder = recorder
        self.events = events

    def take(self, key: str, payload: str | dict[str, Any], origin: str) -> Taken:
        """Read and record one document; MalformedNotification when it is not an SES
        notification at all (a retry would not fix it)."""
        return self.record([read(key, payload)], origin)[0]

    def record(self, notifications: list[Notification], origin: str) -> list[Taken]:
        """Record read notifications: their events in one transaction, then each bounce or
        complaint."""
        stored = self.events.record_groups([n.events for n in notifications])
        taken = []
        for notification, recorded in zip(notifications, stored, strict=True):
            if notification.feedback is not None:
                outcome = self.recorder.record(notification.key, notification.feedback, origin)
            else:
                repeated = recorded.duplicates > 0 and recorded.stored == 0
                outcome = Outcome(duplicate=repeated)
            taken.append(Taken(outcome, recorded, relevant=notification.relevant))
        return taken


def read(key: str, payload: str | dict[str, Any]) -> Notification:
    document = json_object(payload, "the SES notification")
    feedback = parse_notification(document)
    try:
        events = parse_events(document)
    except MalformedNotification as exc:  # still a valid bounce/complaint: apply that
        if feedback is None:
            raise
        log.warning("%s: not kept in the event log: %s", key, exc)
        events = []
    return Notification(key, feedback, events)
