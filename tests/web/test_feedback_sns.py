"""`POST /feedback/ses`: SNS messages signed with a throw-away certificate, over real HTTP.

The verifier under test is the production one; the only test-only part is its
certificate fetcher, which serves the test certificate for an amazonaws URL (as
AWS serves the real one). Host checks and signature checks run unchanged.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsletter.audience.store import SubscriberStore
from newsletter.feedback.record import FeedbackRecorder
from newsletter.feedback.sns import SnsRejected, SnsVerifier, check_sns_url
from newsletter.runtime import Runtime
from newsletter.web.server import url_of
from tests.feedback.sns_signing import (
    CERT_URL,
    FakeAws,
    Signer,
    bounce,
    complaint,
    delivery,
    make_certificate,
    received,
)
from tests.web.conftest import TOPIC, ListLookups, write_config

PEOPLE = ["ann@example.com", "ben@example.com", "cho@example.kr"]
SUBSCRIBE = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=y"


@pytest.fixture(scope="module")
def keypair() -> tuple[Any, bytes]:
    return make_certificate()


@dataclass
class Endpoint(ListLookups):
    url: str
    store: SubscriberStore
    recorder: FeedbackRecorder
    signer: Signer
    aws: FakeAws

    def post(self, message: dict[str, Any] | bytes | str) -> httpx.Response:
        if isinstance(message, dict):
            message = json.dumps(message)
        headers = {"Content-Type": "text/plain; charset=UTF-8"}
        return httpx.post(f"{self.url}/feedback/ses", content=message, headers=headers)

    def soft(self, address: str) -> int:
        subscriber = self.store.get(address)
        assert subscriber is not None
        return self.recorder.transient_count(subscriber.id)


@pytest.fixture
def endpoint(
    tmp_path: Path, listener: socket.socket, serve, keypair: tuple[Any, bytes]
) -> Iterator[Endpoint]:
    from newsletter.web.app import create_app

    key, pem = keypair
    settings = write_config(tmp_path, url_of(listener))
    store = Runtime(settings).subscribers
    for address in PEOPLE:
        store.add(address)
    aws = FakeAws({CERT_URL: pem, SUBSCRIBE: b"<ConfirmSubscriptionResponse/>"})
    verifier = SnsVerifier(settings.feedback.topic_arns, fetch=aws)
    app = create_app(Runtime(settings), sns_verifier=verifier, access_log=lambda _: None)
    with serve(app, listener) as url:
        yield Endpoint(url, store, app.app.state.recorder, Signer(key), aws)


@pytest.fixture
def mailbox_endpoint(
    tmp_path: Path, listener: socket.socket, serve, keypair: tuple[Any, bytes]
) -> Iterator[Endpoint]:
    """The webhook of a newsletter whose List-Unsubscribe offers unsub@example.com."""
    from newsletter.web.app import create_app

    key, pem = keypair
    sender = {"from": "News <news@example.com>", "unsubscribe_mailbox": "unsub@example.com"}
    settings = write_config(tmp_path, url_of(listener), sender=sender)
    store = Runtime(settings).subscribers
    for address in PEOPLE:
        store.add(address)
    verifier = SnsVerifier(settings.feedback.topic_arns, fetch=FakeAws({CERT_URL: pem}))
    app = create_app(Runtime(settings), sns_verifier=verifier, access_log=lambda _: None)
    with serve(app, listener) as url:
        yield Endpoint(url, store, app.app.state.recorder, Signer(key), FakeAws({}))


def test_a_mail_to_the_unsubscribe_mailbox_unsubscribes_its_sender(
    mailbox_endpoint: Endpoint,
) -> None:
    """A mail client's List-Unsubscribe mailto, received by SES and sent on through SNS."""
    endpoint = mailbox_endpoint
    answer = endpoint.post(
        endpoint.signer.notification(received("Ann@Example.com", "unsub@example.com"), TOPIC)
    )
    assert answer.status_code == 200, answer.text
    assert endpoint.status("ann@example.com") == "unsubscribed"
    assert endpoint.events("ann@example.com")[-1] == ("unsubscribed", "mailto")
    # SPF alone counts when the envelope sender is the From address itself
    spf = received("ben@example.com", "unsub@example.com", dmarc="GRAY")
    assert endpoint.post(endpoint.signer.notification(spf, TOPIC)).status_code == 200
    assert endpoint.status("ben@example.com") == "unsubscribed"


@pytest.mark.parametrize(
    "mail",
    [
        received("ann@example.com", "news@example.com"),  # a reply to the newsletter
        received("ann@example.com", "unsub@example.com", dmarc="FAIL", spf="FAIL"),  # forged
        received(
            "ann@example.com", "unsub@example.com", dmarc="GRAY", envelope="x@elsewhere.example"
        ),  # SPF passed for another address than the From
    ],
    ids=["reply-to-another-mailbox", "forged-sender", "spf-for-another-address"],
)
def test_other_received_mail_unsubscribes_nobody(
    mailbox_endpoint: Endpoint, mail: dict[str, Any]
) -> None:
    answer = mailbox_endpoint.post(mailbox_endpoint.signer.notification(mail, TOPIC))
    assert answer.status_code == 200, answer.text
    assert {mailbox_endpoint.status(a) for a in PEOPLE} == {"active"}


def test_without_an_unsubscribe_mailbox_received_mail_unsubscribes_nobody(
    endpoint: Endpoint,
) -> None:
    mail = received("ann@example.com", "unsub@example.com")
    assert endpoint.post(endpoint.signer.notification(mail, TOPIC)).status_code == 200
    assert endpoint.status("ann@example.com") == "active"


@pytest.mark.parametrize("version", ["1", "2"])
def test_permanent_bounce_marks_bounced(endpoint: Endpoint, version: str) -> None:
    message = endpoint.signer.notification(bounce("ann@example.com"), TOPIC, version=version)
    answer = endpoint.post(message)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "recorded"
    assert endpoint.status("ann@example.com") == "bounced"
    assert endpoint.events("ann@example.com")[-1] == ("bounced", "bounce")
    detail = endpoint.store.events(endpoint.store.get("ann@example.com").id)[-1].detail
    assert "Permanent/General" in detail and "550 5.1.1" in detail
    assert {endpoint.status(a) for a in PEOPLE[1:]} == {"active"}


def test_complaint_marks_complained_even_after_unsubscribe(endpoint: Endpoint) -> None:
    ben = endpoint.store.get("ben@example.com")
    endpoint.store.unsubscribe(ben.id, source="unsubscribe-link")
    answer = endpoint.post(endpoint.signer.notification(complaint("ben@example.com"), TOPIC))
    assert answer.status_code == 200
    assert endpoint.status("ben@example.com") == "complained"
    assert endpoint.events("ben@example.com")[-1] == ("complained", "complaint")


def test_transient_bounces_suppress_at_the_limit(endpoint: Endpoint) -> None:
    for expected in (1, 2):
        message = endpoint.signer.notification(bounce("cho@example.kr", "Transient"), TOPIC)
        assert endpoint.post(message).status_code == 200
        assert endpoint.soft("cho@example.kr") == expected
        assert endpoint.status("cho@example.kr") == "active"
    third = endpoint.signer.notification(bounce("cho@example.kr", "Transient"), TOPIC, version="2")
    assert endpoint.post(third).json()["changed"] == 1
    assert endpoint.status("cho@example.kr") == "bounced"
    detail = endpoint.store.events(endpoint.store.get("cho@example.kr").id)[-1].detail
    assert detail.startswith("3 transient bounces")


def test_replayed_message_id_changes_nothing(endpoint: Endpoint) -> None:
    message = endpoint.signer.notification(bounce("cho@example.kr", "Transient"), TOPIC)
    first = endpoint.post(message)
    assert first.json()["status"] == "recorded"
    for _ in range(3):  # SNS redelivers, or somebody replays a captured message
        again = endpoint.post(message)
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert endpoint.soft("cho@example.kr") == 1
    assert endpoint.status("cho@example.kr") == "active"


def test_bad_signature_is_rejected(endpoint: Endpoint) -> None:
    message = endpoint.signer.notification(bounce("ann@example.com"), TOPIC)
    message["Message"] = json.dumps(bounce("ben@example.com"))  # altered after signing
    answer = endpoint.post(message)
    assert answer.status_code == 403
    assert "signature" in answer.json()["reason"]
    other_key, _ = make_certificate()
    forged = Signer(other_key).notification(bounce("ann@example.com"), TOPIC)
    assert endpoint.post(forged).status_code == 403
    assert {endpoint.status(a) for a in PEOPLE} == {"active"}


@pytest.mark.parametrize(
    "cert_url",
    [
        "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
        "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
        "https://user@sns.us-east-1.amazonaws.com/cert.pem",
        "https://s3.amazonaws.com/cert.pem",
    ],
)
def test_foreign_certificate_host_is_rejected(
    endpoint: Endpoint, cert_url: str, keypair: tuple[Any, bytes]
) -> None:
    """The fetcher would even serve the right certificate there: the host check must refuse."""
    endpoint.aws.documents[cert_url] = keypair[1]
    signer = Signer(endpoint.signer.key, cert_url=cert_url)
    answer = endpoint.post(signer.notification(bounce("ann@example.com"), TOPIC))
    assert answer.status_code == 403
    assert cert_url not in endpoint.aws.visited
    assert endpoint.status("ann@example.com") == "active"


def test_other_topic_is_rejected(endpoint: Endpoint) -> None:
    """Any AWS account can sign through SNS: only the configured topic is trusted."""
    other = "arn:aws:sns:us-east-1:999999999999:someone-elses-topic"
    answer = endpoint.post(endpoint.signer.notification(bounce("ann@example.com"), other))
    assert answer.status_code == 403
    assert endpoint.status("ann@example.com") == "active"


@pytest.mark.parametrize(
    "body",
    [
        b"hello",
        b"",
        b"[1, 2]",
        json.dumps({"notificationType": "Bounce"}).encode(),
        json.dumps({"Type": "Notification", "MessageId": "x"}).encode(),
        b"\xff\xfe",
    ],
)
def test_non_sns_body_is_rejected(endpoint: Endpoint, body: bytes) -> None:
    answer = endpoint.post(body)
    assert answer.status_code == 400
    assert answer.json()["status"] == "rejected"


def test_unknown_signature_version_and_expired_certificate(endpoint: Endpoint) -> None:
    message = endpoint.signer.notification(bounce("ann@example.com"), TOPIC)
    message["SignatureVersion"] = "3"
    assert endpoint.post(message).status_code == 403
    key, expired = make_certificate(valid_days=-1)
    url = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-old.pem"
    endpoint.aws.documents[url] = expired
    stale = Signer(key, cert_url=url).notification(bounce("ann@example.com"), TOPIC)
    answer = endpoint.post(stale)
    assert answer.status_code == 403 and "expired" in answer.json()["reason"]
    assert endpoint.status("ann@example.com") == "active"


def test_subscription_confirmation_visits_subscribe_url(endpoint: Endpoint) -> None:
    answer = endpoint.post(endpoint.signer.subscription(TOPIC, SUBSCRIBE))
    assert answer.status_code == 200 and answer.json()["status"] == "confirmed"
    assert endpoint.aws.visited[-1] == SUBSCRIBE


def test_subscription_confirmation_to_a_foreign_host_is_not_visited(endpoint: Endpoint) -> None:
    evil = "https://evil.example/?Action=ConfirmSubscription"
    answer = endpoint.post(endpoint.signer.subscription(TOPIC, evil))
    assert answer.status_code == 403
    assert evil not in endpoint.aws.visited


def test_certificate_is_fetched_once(endpoint: Endpoint) -> None:
    for address in PEOPLE:
        endpoint.post(endpoint.signer.notification(delivery(address), TOPIC))
    assert endpoint.aws.visited.count(CERT_URL) == 1


def test_unknown_address_is_ignored_and_a_delivery_only_logged(endpoint: Endpoint) -> None:
    unknown = endpoint.post(endpoint.signer.notification(bounce("nobody@example.com"), TOPIC))
    assert unknown.status_code == 200 and unknown.json()["unknown"] == 1
    assert endpoint.store.get("nobody@example.com") is None  # never added
    logged = endpoint.post(endpoint.signer.notification(delivery("ann@example.com"), TOPIC))
    assert logged.json()["status"] == "recorded" and logged.json()["events"] == 1
    assert logged.json()["changed"] == 0
    assert endpoint.status("ann@example.com") == "active"


def test_unconfigured_topics_refuse_everything(tmp_path: Path, keypair: tuple[Any, bytes]) -> None:
    verifier = SnsVerifier("", fetch=FakeAws({CERT_URL: keypair[1]}))
    message = Signer(keypair[0]).notification(bounce("ann@example.com"), TOPIC)
    with pytest.raises(SnsRejected, match="topic_arns is not configured"):
        verifier.verify(json.dumps(message).encode())


def test_sns_host_rule() -> None:
    assert check_sns_url("https://sns.ap-northeast-2.amazonaws.com/x.pem", "u")
    assert check_sns_url("https://sns.cn-north-1.amazonaws.com.cn/x.pem", "u")
    for bad in (
        "https://sns.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com.cn.evil/x.pem",
        "https://xsns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us_east.amazonaws.com/x.pem",
        "ftp://sns.us-east-1.amazonaws.com/x.pem",
        "https://[::1]/x.pem",
        "not a url",
    ):
        with pytest.raises(SnsRejected):
            check_sns_url(bad, "u")


def test_unreachable_certificate_asks_sns_to_retry(endpoint: Endpoint) -> None:
    url = "https://sns.ap-northeast-2.amazonaws.com/SimpleNotificationService-unreachable.pem"
    signer = Signer(endpoint.signer.key, cert_url=url)  # the fetcher has nothing at this URL
    answer = endpoint.post(signer.notification(bounce("ann@example.com"), TOPIC))
    assert answer.status_code == 503
    assert endpoint.status("ann@example.com") == "active"


DEEP = "[" * 2000 + "]" * 2000


@pytest.mark.parametrize(
    "body",
    [
        DEEP,
        '{"a":' * 2000 + "1" + "}" * 2000,
        json.dumps({"Type": "Notification", "MessageId": "m"})[:-1] + ', "x": ' + DEEP + "}",
        "[" * 100_000,  # never closed
        '"' + "\\" * 5000,  # an unterminated string of escapes
    ],
    ids=["arrays", "objects", "inside-an-envelope", "unclosed", "escapes"],
)
def test_deeply_nested_json_is_a_400_not_a_crash(endpoint: Endpoint, body: str) -> None:
    answer = endpoint.post(body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["status"] == "rejected"
    # and the endpoint goes on recording genuine feedback
    genuine = endpoint.post(endpoint.signer.notification(bounce("ann@example.com"), TOPIC))
    assert genuine.status_code == 200 and endpoint.status("ann@example.com") == "bounced"


def test_a_signed_message_with_a_deeply_nested_notification_changes_nothing(
    endpoint: Endpoint,
) -> None:
    message = endpoint.signer.notification({"x": 1}, TOPIC)
    message = endpoint.signer.sign({**message, "Message": DEEP})
    answer = endpoint.post(message)
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"
    assert "nest" in answer.json()["reason"]
    assert {endpoint.status(a) for a in PEOPLE} == {"active"}


def test_brackets_inside_strings_are_only_text(endpoint: Endpoint) -> None:
    """The nesting bound counts structure, not brackets a bounce message quotes."""
    payload = bounce("ben@example.com")
    payload["bounce"]["bouncedRecipients"][0]["diagnosticCode"] = "smtp; 550 " + "[{" * 5000
    answer = endpoint.post(endpoint.signer.notification(payload, TOPIC))
    assert answer.status_code == 200, answer.text
    assert endpoint.status("ben@example.com") == "bounced"


@pytest.mark.parametrize(
    "host",
    [
        "sns.us-east-1.amazonaws.com",
        "sns.eu-central-2.amazonaws.com",
        "sns.ap-southeast-4.amazonaws.com",
        "sns.il-central-1.amazonaws.com",
        "sns.us-gov-west-1.amazonaws.com",
        "sns.us-gov-east-1.amazonaws.com",
        "sns.cn-north-1.amazonaws.com.cn",
        "sns.cn-northwest-1.amazonaws.com.cn",
    ],
)
def test_sns_hosts_of_real_regions_are_accepted(host: str) -> None:
    assert check_sns_url(f"https://{host}/SimpleNotificationService-x.pem", "u")


@pytest.mark.parametrize(
    "host",
    [
        "sns.s3.amazonaws.com",  # an S3 bucket named "sns": anyone's content
        "sns.execute-api.amazonaws.com",  # an API Gateway: anyone's code
        "sns.elb.amazonaws.com",
        "sns.s3-website.amazonaws.com",
        "sns.us-east-1.elb.amazonaws.com",
        "sns.my-bucket.amazonaws.com",
        "sns.us-east.amazonaws.com",
        "sns.us-east-12x.amazonaws.com",
        "sns.useast-1.amazonaws.com",
        "sns.-us-east-1.amazonaws.com",
        "sns.us-east-1.amazonaws.com.cn",  # .com.cn is for China's regions only
        "sns.cn-north-1.amazonaws.com",
        "sns.US-EAST-1.amazonaws.com.evil.example",
    ],
)
def test_sns_hosts_that_are_not_a_region_are_refused(host: str) -> None:
    with pytest.raises(SnsRejected, match=re.escape("sns.<region>.amazonaws.com")):
        check_sns_url(f"https://{host}/SimpleNotificationService-x.pem", "u")
