"""Amazon SES event publishing (`eventType`) read into provider-neutral `DeliveryEvent`s.

A configuration set's event destination publishes one JSON document per event:
Send, Delivery, Bounce, Complaint, Reject, DeliveryDelay, RenderingFailure, and —
when open and click tracking are on — Open and Click. Every one carries the
`mail` object (SES message id, destination, our `edition` tag), and an object of
its own with the event's time and details. The classic identity notifications
(`notificationType`: Bounce, Complaint, Delivery) have the same shape and are
read the same way.

One event per affected recipient (we send one recipient per message, so one);
its `key` is a digest of what makes it this event — type, message, recipient,
the event's own time, the link — so the same event delivered again, by the
webhook or by the queue, has the same key and is stored once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any

from newsletter.feedback.record import DETAIL_LIMIT, MalformedNotification

# SES's event types → our kinds (what the report counts)
KINDS = {
    "Send": "send",
    "Delivery": "delivery",
    "Bounce": "bounce",
    "Complaint": "complaint",
    "Reject": "reject",
    "DeliveryDelay": "delay",
    "RenderingFailure": "rendering_failure",
    "Open": "open",
    "Click": "click",
}
# The object inside the event that holds its details, and its list of recipients.
_PARTS = {
    "Send": ("send", ""),
    "Delivery": ("delivery", "recipients"),
    "Bounce": ("bounce", "bouncedRecipients"),
    "Complaint": ("complaint", "complainedRecipients"),
    "Reject": ("reject", ""),
    "DeliveryDelay": ("deliveryDelay", "delayedRecipients"),
    "RenderingFailure": ("failure", ""),
    "Open": ("open", ""),
    "Click": ("click", ""),
}
TRACKING = frozenset({"open", "click"})  # recorded only when the operator turns them on
_EDITION = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class DeliveryEvent:
    key: str
    kind: str
    message_id: str  # SES's id of the message (what SendEmail returned)
    recipient: str
    edition: str  # from the message's `edition` tag; "" for a test copy or a foreign message
    at: datetime
    detail: str = ""  # bounce "Permanent/General", reject reason, delay type, complaint type
    link: str = ""  # Click: the original URL


def parse_events(payload: dict[str, Any]) -> list[DeliveryEvent]:
    """The events in one SES document; [] for a type we do not record (e.g. Subscription)."""
    kind = payload.get("eventType") or payload.get("notificationType")
    if not isinstance(kind, str):
        raise MalformedNotification("no notificationType or eventType")
    if kind not in _PARTS:
        return []
    mail = payload.get("mail")
    if not isinstance(mail, dict) or not isinstance(mail.get("messageId"), str):
        raise MalformedNotification("mail.messageId is missing")
    name, recipients_key = _PARTS[kind]
    part = payload.get(name)
    if part is None and kind == "RenderingFailure":
        part = payload.get("renderingFailure")
    part = part if isinstance(part, dict) else {}
    moment = _time(part.get("timestamp") or mail.get("timestamp"))
    recipients = _recipients(part.get(recipients_key) if recipients_key else None, mail)
    detail, link = _details(kind, part)
    edition = _edition(mail.get("tags"))
    return [
        DeliveryEvent(
            key=_key(kind, mail["messageId"], address, moment, link),
            kind=KINDS[kind],
            message_id=mail["messageId"][:200],
            recipient=address,
            edition=edition,
            at=moment,
            detail=detail[:DETAIL_LIMIT],
            link=link,
        )
        for address in recipients
    ]


def _recipients(entries: Any, mail: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        raw = entry.get("emailAddress") if isinstance(entry, dict) else entry
        if isinstance(raw, str):
            found.append(_bare(raw))
    if not found:
        destination = mail.get("destination")
        if isinstance(destination, list):
            found = [_bare(raw) for raw in destination if isinstance(raw, str)]
    found = [address for address in found if "@" in address]
    if not found:
        raise MalformedNotification("the event names no recipient")
    return found


def _bare(raw: str) -> str:
    """The address in `raw`; a bare address (what SES nearly always sends) without the
    cost of the full RFC 5322 parser."""
    if "<" not in raw and " " not in raw and "," not in raw and '"' not in raw:
        return raw
    return parseaddr(raw)[1]


def _details(kind: str, part: dict[str, Any]) -> tuple[str, str]:
    """(detail, link) of one event."""
    if kind == "Bounce":
        bounce_type = str(part.get("bounceType") or "Undetermined")
        return f"{bounce_type}/{part.get('bounceSubType') or 'General'}", ""
    if kind == "Complaint":
        return str(part.get("complaintFeedbackType") or "complaint"), ""
    if kind == "Reject":
        return str(part.get("reason") or ""), ""
    if kind == "DeliveryDelay":
        return str(part.get("delayType") or ""), ""
    if kind == "RenderingFailure":
        return str(part.get("errorMessage") or ""), ""
    if kind == "Click":
        link = part.get("link")
        if not isinstance(link, str) or not link:
            raise MalformedNotification("click.link is missing")
        return "", link[:2000]
    return "", ""


def _edition(tags: Any) -> str:
    values = tags.get("edition") if isinstance(tags, dict) else None
    value = values[0] if isinstance(values, list) and values else values
    return value if isinstance(value, str) and _EDITION.match(value) else ""


def _time(text: Any) -> datetime:
    if isinstance(text, str):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise MalformedNotification(f"timestamp {text[:40]!r} is not ISO 8601") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise MalformedNotification("the event has no timestamp")


def _key(kind: str, message_id: str, recipient: str, moment: datetime, link: str) -> str:
    text = "\n".join((kind, message_id, recipient.lower(), moment.isoformat(), link))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
