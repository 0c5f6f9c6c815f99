"""A throw-away SNS signer for tests: an RSA key, a self-signed certificate, and messages
signed the way Amazon SNS documents it (written independently of the verifier, so a
mistake in the verifier's canonical string cannot cancel out against the same mistake here).
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test0123456789.pem"


def make_certificate(*, valid_days: float = 1.0, key: Any = None) -> tuple[Any, bytes]:
    """(private key, PEM certificate) for CN=sns.amazonaws.com, self-signed."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    start = now - timedelta(hours=1) if valid_days > 0 else now - timedelta(days=10)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + timedelta(days=valid_days))
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM)


def string_to_sign(message: dict[str, Any]) -> bytes:
    if message["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    out = ""
    for key in keys:
        if key in message:
            out += key + "\n" + message[key] + "\n"
    return out.encode()


@dataclass
class Signer:
    key: Any
    cert_url: str = CERT_URL

    def sign(self, message: dict[str, Any], version: str = "1") -> dict[str, Any]:
        digest = hashes.SHA1() if version == "1" else hashes.SHA256()
        signed = dict(message, SignatureVersion=version, SigningCertURL=self.cert_url)
        signature = self.key.sign(string_to_sign(signed), padding.PKCS1v15(), digest)
        signed["Signature"] = base64.b64encode(signature).decode()
        return signed

    def notification(
        self, payload: dict[str, Any], topic: str, *, version: str = "1", message_id: str = ""
    ) -> dict[str, Any]:
        message = {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": topic,
            "Message": json.dumps(payload),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        }
        return self.sign(message, version)

    def subscription(self, topic: str, subscribe_url: str, version: str = "1") -> dict[str, Any]:
        message = {
            "Type": "SubscriptionConfirmation",
            "MessageId": str(uuid.uuid4()),
            "Token": "2336412f37fb687f5d51e6e2425c464de12884f5b7b5a4fbb3f4e6d2a81a4d3e",
            "TopicArn": topic,
            "Message": f"You have chosen to subscribe to the topic {topic}.",
            "SubscribeURL": subscribe_url,
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        }
        return self.sign(message, version)


@dataclass
class FakeAws:
    """The injected fetcher: serves certificates by URL and records every URL visited."""

    documents: dict[str, bytes] = field(default_factory=dict)
    visited: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> bytes:
        self.visited.append(url)
        if url not in self.documents:
            raise OSError(f"404 {url}")
        return self.documents[url]


def bounce(address: str, kind: str = "Permanent", feedback_id: str = "") -> dict[str, Any]:
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": kind,
            "bounceSubType": "General" if kind == "Permanent" else "MailboxFull",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1" if kind == "Permanent" else "4.2.2",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown"
                    if kind == "Permanent"
                    else "smtp; 452 4.2.2 mailbox full",
                }
            ],
            "timestamp": "2026-02-07T07:00:05.000Z",
            "feedbackId": feedback_id or str(uuid.uuid4()),
        },
        "mail": {
            "timestamp": "2026-02-07T07:00:00.000Z",
            "source": "briefing@example.com",
            "messageId": str(uuid.uuid4()),
            "destination": [address],
        },
    }


def complaint(address: str, feedback_id: str = "") -> dict[str, Any]:
    return {
        "notificationType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": address}],
            "timestamp": "2026-02-07T09:00:00.000Z",
            "feedbackId": feedback_id or str(uuid.uuid4()),
            "complaintFeedbackType": "abuse",
        },
        "mail": {
            "source": "briefing@example.com",
            "messageId": str(uuid.uuid4()),
            "destination": [address],
        },
    }


def delivery(address: str) -> dict[str, Any]:
    return {
        "notificationType": "Delivery",
        "delivery": {"recipients": [address], "timestamp": "2026-02-07T07:00:02.000Z"},
        "mail": {
            "source": "briefing@example.com",
            "messageId": str(uuid.uuid4()),
            "destination": [address],
        },
    }


def received(
    sender: str,
    mailbox: str,
    *,
    envelope: str = "",
    dmarc: str = "PASS",
    spf: str = "PASS",
    subject: str = "unsubscribe",
) -> dict[str, Any]:
    """A mail SES received for `mailbox`, as a receipt rule's SNS action sends it."""
    verdict = {"PASS": {"status": "PASS"}, "FAIL": {"status": "FAIL"}, "GRAY": {"status": "GRAY"}}
    return {
        "notificationType": "Received",
        "receipt": {
            "timestamp": "2026-02-07T08:00:00.000Z",
            "recipients": [mailbox],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "PASS"},
            "spfVerdict": verdict[spf],
            "dkimVerdict": verdict[dmarc],
            "dmarcVerdict": verdict[dmarc],
            "action": {"type": "SNS", "topicArn": "arn:aws:sns:us-east-1:1:x", "encoding": "UTF8"},
        },
        "mail": {
            "timestamp": "2026-02-07T08:00:00.000Z",
            "source": envelope or sender,
            "messageId": str(uuid.uuid4()),
            "destination": [mailbox],
            "commonHeaders": {
                "from": [f"A Reader <{sender}>"],
                "to": [mailbox],
                "subject": subject,
            },
        },
    }
