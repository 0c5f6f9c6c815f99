"""Amazon SNS message verification: nothing in a message is trusted before this passes.

Anyone can POST JSON to a public endpoint, and a fake "permanent bounce" would
silently drop a real subscriber. So every message must be signed by SNS:
- the signing certificate is fetched only over https from an
  `sns.<region>.amazonaws.com` host (China: `.amazonaws.com.cn`) whose region has
  the shape of a real one — the TLS certificate of that host is what makes the
  key trustworthy, and other `amazonaws.com` names (S3 buckets, API gateways)
  serve anyone's content;
- the signature over the canonical string (AWS's documented field order) is
  checked with SHA1 (SignatureVersion 1) or SHA256 (SignatureVersion 2);
- the topic must be one the operator configured (`feedback.topic_arns`): any
  AWS account can make a topic, subscribe our URL and sign messages with the
  very same SNS certificate, so a valid signature alone proves too little.

Certificates are cached per URL (SNS rotates them rarely). The fetcher is
injectable: tests serve a throw-away certificate for an amazonaws URL through
it, so the host check and the signature check run unchanged.
"""

from __future__ import annotations

import base64
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from newsletter.bounded_json import UnreadableJson, load_json

Fetch = Callable[[str], bytes]

#: `sns.<region>.amazonaws.com`, the region shaped like one (`us-east-1`, `us-gov-west-1`,
#: `eu-central-2`); China's regions under `.amazonaws.com.cn`. Not any `sns.*.amazonaws.com`:
#: `sns.s3.amazonaws.com` is an S3 bucket named "sns", which anyone can create and fill.
_SNS_HOST = re.compile(
    r"^sns\.(?:(?!cn-)[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}\.amazonaws\.com"
    r"|cn-[a-z]+-\d{1,2}\.amazonaws\.com\.cn)$"
)
_TYPES = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")
_SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
_SIGNED_FIELDS["UnsubscribeConfirmation"] = _SIGNED_FIELDS["SubscriptionConfirmation"]
_REQUIRED = ("Type", "MessageId", "TopicArn", "Message", "Timestamp", "Signature")
_MAX_CERTIFICATE = 64 * 1024


class SnsRejected(Exception):
    """The message is refused; `status` is the HTTP answer (400 malformed, 403 untrusted,
    503 when the certificate could not be fetched just now)."""

    def __init__(self, reason: str, status: int = 403) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class SnsMessage:
    type: str
    message_id: str
    topic_arn: str
    message: str
    timestamp: str
    subscribe_url: str = ""


def parse_topics(value: str) -> frozenset[str]:
    """`feedback.topic_arns`: one or more ARNs separated by commas or whitespace."""
    return frozenset(part for part in re.split(r"[\s,]+", value) if part)


def check_sns_url(url: str, what: str) -> str:
    """`url` if it is https on an SNS host (no port, no credentials); SnsRejected otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise SnsRejected(f"{what} is not a URL") from None
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not _SNS_HOST.match(host):
        raise SnsRejected(f"{what} is not https on an sns.<region>.amazonaws.com host")
    if port not in (None, 443) or parts.username or parts.password:
        raise SnsRejected(f"{what} has a port or credentials")
    return url


def canonical_string(fields: dict[str, Any]) -> bytes:
    """The bytes SNS signs: `Name\\nvalue\\n` for each signed field present, in AWS's order."""
    names = _SIGNED_FIELDS.get(fields.get("Type", ""), ())
    lines = []
    for name in names:
        value = fields.get(name)
        if value is None:
            continue  # only Subject is optional
        lines.append(f"{name}\n{value}\n")
    return "".join(lines).encode("utf-8")


def https_fetch(url: str) -> bytes:
    """GET over verified TLS, no redirects, bounded size (the production fetcher)."""
    with httpx.stream("GET", url, timeout=10.0, follow_redirects=False) as response:
        if response.status_code != 200:
            raise SnsRejected(f"{urlsplit(url).hostname} answered HTTP {response.status_code}")
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > _MAX_CERTIFICATE:
                raise SnsRejected("the certificate download is too large")
    return body


class SnsVerifier:
    """Parses and verifies SNS messages; safe to share between threads."""

    def __init__(
        self, topics: frozenset[str] | str, *, fetch: Fetch | None = None, cache_size: int = 16
    ) -> None:
        self.topics = parse_topics(topics) if isinstance(topics, str) else frozenset(topics)
        self.fetch = fetch or https_fetch
        self.cache_size = cache_size
        self._keys: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, body: bytes) -> SnsMessage:
        """The message in `body` once its topic, certificate URL and signature check out."""
        fields = _parse(body)
        if not self.topics:
            raise SnsRejected("feedback.topic_arns is not configured; refusing SNS messages")
        if fields["TopicArn"] not in self.topics:
            raise SnsRejected("the message comes from a topic that is not configured")
        version = fields.get("SignatureVersion")
        if version not in ("1", "2"):
            raise SnsRejected(f"unsupported SignatureVersion {version!r}")
        url = check_sns_url(str(fields.get("SigningCertURL", "")), "SigningCertURL")
        try:
            signature = base64.b64decode(fields["Signature"], validate=True)
        except (ValueError, TypeError):
            raise SnsRejected("the signature is not base64", 400) from None
        self._check_signature(url, version, signature, canonical_string(fields))
        subscribe_url = str(fields.get("SubscribeURL") or "")
        if fields["Type"] == "SubscriptionConfirmation":
            check_sns_url(subscribe_url, "SubscribeURL")
        return SnsMessage(
            type=fields["Type"],
            message_id=fields["MessageId"],
            topic_arn=fields["TopicArn"],
            message=fields["Message"],
            timestamp=fields["Timestamp"],
            subscribe_url=subscribe_url,
        )

    def confirm(self, message: SnsMessage) -> None:
        """Confirm a verified subscription by visiting its SubscribeURL (same host rule)."""
        self.fetch(check_sns_url(message.subscribe_url, "SubscribeURL"))

    def _check_signature(self, url: str, version: str, signature: bytes, data: bytes) -> None:
        key = self._public_key(url)
        digest = hashes.SHA1() if version == "1" else hashes.SHA256()
        try:
            key.verify(signature, data, padding.PKCS1v15(), digest)
        except InvalidSignature:
            raise SnsRejected("the signature does not match the message") from None

    def _public_key(self, url: str) -> Any:
        with self._lock:
            if url in self._keys:
                self._keys.move_to_end(url)
                return self._keys[url]
        try:
            pem = self.fetch(url)
        except SnsRejected:
            raise
        except Exception as exc:
            # a network problem on our side: 503 makes SNS deliver the message again later
            raise SnsRejected(f"could not fetch the signing certificate: {exc}", 503) from None
        key = _load_key(pem)
        with self._lock:
            self._keys[url] = key
            while len(self._keys) > self.cache_size:
                self._keys.popitem(last=False)
        return key


def _load_key(pem: bytes) -> Any:
    try:
        certificate = x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise SnsRejected("the signing certificate is not a PEM certificate") from None
    now = datetime.now(UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SnsRejected("the signing certificate is expired or not yet valid")
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SnsRejected("the signing certificate does not hold an RSA key")
    return key


def _parse(body: bytes) -> dict[str, Any]:
    try:
        fields = load_json(body)
    except UnreadableJson as exc:
        raise SnsRejected(f"the body is not an SNS message ({exc})", 400) from None
    if not isinstance(fields, dict):
        raise SnsRejected("the body is not an SNS message (not an object)", 400)
    missing = [name for name in _REQUIRED if not isinstance(fields.get(name), str)]
    if missing:
        raise SnsRejected(f"the body is not an SNS message (no {missing[0]})", 400)
    if fields["Type"] not in _TYPES:
        raise SnsRejected(f"unknown SNS message Type {fields['Type']!r}", 400)
    if fields["Type"] != "Notification" and not isinstance(fields.get("Token"), str):
        raise SnsRejected("the body is not an SNS message (no Token)", 400)
    return fields
