"""SES event-publishing documents (`eventType`), shaped as a configuration set publishes them.

Field names and nesting follow the SES developer guide's examples for event
publishing through SNS; only the parts we read are filled in, plus the tags SES
adds itself, so a test reads like the JSON an operator would see.
"""

from __future__ import annotations

from typing import Any

DAY = "2026-02-07"


def event(
    kind: str,
    address: str,
    *,
    message_id: str,
    edition: str = DAY,
    at: str = "2026-02-07T07:00:02.000Z",
    **part: Any,
) -> dict[str, Any]:
    """One document: `kind` is SES's eventType (Send, Delivery, Open, Click, …)."""
    tags: dict[str, list[str]] = {
        "ses:configuration-set": ["newsletter"],
        "ses:source-ip": ["192.0.2.0"],
        "ses:from-domain": ["example.com"],
    }
    if edition:
        tags["edition"] = [edition]
    document: dict[str, Any] = {
        "eventType": kind,
        "mail": {
            "timestamp": "2026-02-07T07:00:00.000Z",
            "source": "briefing@example.com",
            "sendingAccountId": "123456789012",
            "messageId": message_id,
            "destination": [address],
            "headersTruncated": False,
            "tags": tags,
        },
    }
    name = {
        "Send": "send",
        "Delivery": "delivery",
        "Bounce": "bounce",
        "Complaint": "complaint",
        "Reject": "reject",
        "DeliveryDelay": "deliveryDelay",
        "RenderingFailure": "failure",
        "Open": "open",
        "Click": "click",
    }[kind]
    body: dict[str, Any] = {"timestamp": at}
    if kind == "Delivery":
        body.update(recipients=[address], processingTimeMillis=512, smtpResponse="250 ok")
    elif kind == "Bounce":
        body.update(
            bounceType=part.pop("bounce_type", "Permanent"),
            bounceSubType="General",
            bouncedRecipients=[{"emailAddress": address, "status": "5.1.1"}],
            feedbackId=f"fb-{message_id}",
        )
    elif kind == "Complaint":
        body.update(
            complainedRecipients=[{"emailAddress": address}],
            complaintFeedbackType="abuse",
            feedbackId=f"fc-{message_id}",
        )
    elif kind == "Reject":
        body = {"reason": "Bad content"}
    elif kind == "DeliveryDelay":
        body.update(
            delayType="MailboxFull",
            delayedRecipients=[{"emailAddress": address, "status": "4.2.2"}],
        )
    elif kind == "RenderingFailure":
        body = {"errorMessage": "Attribute 'name' is not present", "templateName": "x"}
    elif kind == "Open":
        body.update(ipAddress="192.0.2.1", userAgent="Mozilla/5.0")
    elif kind == "Click":
        body.update(
            ipAddress="192.0.2.1",
            userAgent="Mozilla/5.0",
            link=part.pop("link"),
            linkTags={},
        )
    elif kind == "Send":
        body = {}
    body.update(part)
    document[name] = body
    return document
