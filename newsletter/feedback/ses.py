"""Amazon SES: bounce, complaint and received-mail notifications read into `Feedback`.

The same notification arrives through the SNS webhook or an SQS queue, wrapped
as SES "notifications" (`notificationType`) or as configuration-set events
(`eventType`); both shapes carry the same `bounce` / `complaint` objects. A receipt
rule's SNS action sends a third kind, `Received`: a mail to the unsubscribe mailbox.
Another provider's feedback (a webhook of its own) would get a file beside this
one that returns the same `Feedback`; recording it is `record`'s job.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from newsletter.bounded_json import UnreadableJson, load_json
from newsletter.feedback.record import DETAIL_LIMIT, Feedback, MalformedNotification


def json_object(document: str | dict[str, Any], what: str) -> dict[str, Any]:
    """`document` read (bounded, see `payload`) as a JSON object, or MalformedNotification
    saying what `what` is instead."""
    if isinstance(document, str):
        try:
            document = load_json(document)
        except UnreadableJson as exc:
            raise MalformedNotification(f"{what} is {exc}") from None
    if not isinstance(document, dict):
        raise MalformedNotification(f"{what} is not a JSON object")
    return document


def parse_notification(payload: str | dict[str, Any]) -> Feedback | None:
    """The bounce/complaint inside an SES notification; None for other types (Delivery…)."""
    payload = json_object(payload, "the SES notification")
    kind = payload.get("notificationType") or payload.get("eventType")
    if kind == "Bounce":
        return _bounce(_object(payload, "bounce"))
    if kind == "Complaint":
        return _complaint(_object(payload, "complaint"))
    if kind == "Received":
        return _unsubscribe_request(_object(payload, "mail"), _object(payload, "receipt"))
    if isinstance(kind, str):
        return None
    raise MalformedNotification("no notificationType or eventType")


def _object(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    if not isinstance(value, dict):
        raise MalformedNotification(f"{key} is missing or not an object")
    return value


def _addresses(entries: Any, key: str) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    if not isinstance(entries, list) or not entries:
        raise MalformedNotification(f"{key} is missing or empty")
    addresses = []
    kept = []
    for index, entry in enumerate(entries):
        raw = entry.get("emailAddress") if isinstance(entry, dict) else None
        if not isinstance(raw, str):
            raise MalformedNotification(f"{key}[{index}].emailAddress is missing")
        address = parseaddr(raw)[1]
        if "@" not in address:
            raise MalformedNotification(f"{key}[{index}].emailAddress is not an address")
        addresses.append(address)
        kept.append(entry)
    return tuple(addresses), kept


def _bounce(bounce: dict[str, Any]) -> Feedback:
    recipients, entries = _addresses(bounce.get("bouncedRecipients"), "bounce.bouncedRecipients")
    bounce_type = str(bounce.get("bounceType") or "Undetermined")
    parts = [f"{bounce_type}/{bounce.get('bounceSubType') or 'General'}"]
    codes = {str(e.get("diagnosticCode") or e.get("status") or "") for e in entries} - {""}
    parts.extend(sorted(codes))
    return Feedback(
        kind="bounce",
        recipients=recipients,
        bounce_type=bounce_type,
        detail=": ".join(parts)[:DETAIL_LIMIT],
        feedback_id=str(bounce.get("feedbackId") or ""),
    )


def _complaint(complaint: dict[str, Any]) -> Feedback:
    recipients, _ = _addresses(
        complaint.get("complainedRecipients"), "complaint.complainedRecipients"
    )
    feedback_type = str(complaint.get("complaintFeedbackType") or "")
    return Feedback(
        kind="complaint",
        recipients=recipients,
        detail=(feedback_type or "complaint")[:DETAIL_LIMIT],
        feedback_id=str(complaint.get("feedbackId") or ""),
    )


def _unsubscribe_request(mail: dict[str, Any], receipt: dict[str, Any]) -> Feedback | None:
    """A mail SES received (a receipt rule's SNS action): a reader's mail client asking to
    leave through List-Unsubscribe's mailto. None unless SES found its sender authentic —
    DMARC passed, or SPF passed for the very address the From header names — since
    anyone can write any From: a forged one must not unsubscribe somebody else."""
    headers = mail.get("commonHeaders")
    senders = headers.get("from") if isinstance(headers, dict) else None
    if not isinstance(senders, list) or len(senders) != 1 or not isinstance(senders[0], str):
        return None
    sender = parseaddr(senders[0])[1].lower()
    if "@" not in sender:
        return None
    envelope = parseaddr(str(mail.get("source") or ""))[1].lower()

    def verdict(name: str) -> str:
        found = receipt.get(name)
        return str(found.get("status") or "") if isinstance(found, dict) else ""

    if verdict("dmarcVerdict") == "PASS":
        why = "DMARC pass"
    elif verdict("spfVerdict") == "PASS" and envelope == sender:
        why = "SPF pass"
    else:
        return None
    mailboxes = receipt.get("recipients")
    listed = mailboxes if isinstance(mailboxes, list) else []
    received_for = tuple(parseaddr(m)[1].lower() for m in listed if isinstance(m, str))
    return Feedback(
        kind="unsubscribe",
        recipients=(sender,),
        detail=f"mail to the unsubscribe mailbox ({why})",
        mailboxes=received_for,
    )
