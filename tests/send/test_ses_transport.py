"""The SES transport delivers through boto3 to a real SES API endpoint (moto server)."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest

from newsletter.send.transports.base import (
    AccountError,
    AmbiguousError,
    PermanentError,
    TransientError,
)
from newsletter.send.transports.ses import SesTransport, classify
from tests.fixtures.ses import REGION, MotoServer

RAW = (
    b"From: News <news@example.com>\r\nTo: reader@example.net\r\n"
    b"Subject: =?utf-8?b?7JWI64WV?=\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    b"\r\nhello\r\n"
)


def test_raw_message_reaches_ses_with_headers(ses: MotoServer) -> None:
    transport = SesTransport(region=REGION, endpoint_url=ses.url, sender="news@example.com")
    message_id = transport.send(RAW, recipient="reader@example.net", tags={"edition": "2026-02-07"})
    transport.close()
    assert message_id
    [raw] = ses.sent_raw_messages()
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "안녕"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unverified_sender_is_an_account_error(ses: MotoServer) -> None:
    transport = SesTransport(region=REGION, endpoint_url=ses.url, sender="news@unverified.test")
    with pytest.raises(AccountError, match="not a verified"):
        transport.send(
            RAW.replace(b"news@example.com", b"news@unverified.test"),
            recipient="reader@example.net",
            tags={},
        )


def test_an_endpoint_that_never_answers_ends_the_attempt_instead_of_hanging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The kept-alive sockets carry their timeouts in the kernel, not in Python: a stuck
    endpoint must still end the attempt. The request went out whole, so SES may have it:
    the attempt ends in doubt (`tests/send/test_ses_connections.py` has every case)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never reads or answers
        port = silent.getsockname()[1]
        transport = SesTransport(
            region=REGION,
            endpoint_url=f"http://127.0.0.1:{port}",
            sender="news@example.com",
            timeout=0.5,
        )
        with pytest.raises(AmbiguousError):
            transport.send(RAW, recipient="reader@example.net", tags={})
        transport.close()


@pytest.mark.parametrize(
    ("status", "code", "message", "expected"),
    [
        (429, "TooManyRequestsException", "Maximum sending rate exceeded.", TransientError),
        (400, "Throttling", "Maximum sending rate exceeded.", TransientError),
        (400, "Throttling", "Daily message quota exceeded.", AccountError),
        (400, "LimitExceededException", "Daily message quota exceeded", AccountError),
        (500, "InternalFailure", "", TransientError),
        (503, "ServiceUnavailable", "", TransientError),
        (400, "SendingPausedException", "paused", AccountError),
        (403, "AccountSuspendedException", "", AccountError),
        (403, "UnrecognizedClientException", "bad token", AccountError),
        (400, "MessageRejected", "Email address is not verified.", AccountError),
        (400, "MessageRejected", "Illegal address", PermanentError),
        (400, "BadRequestException", "Missing final '@domain'", PermanentError),
    ],
)
def test_errors_are_classified_by_what_the_campaign_must_do(
    status: int, code: str, message: str, expected: type
) -> None:
    from botocore.exceptions import ClientError

    error = ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "SendEmail",
    )
    assert type(classify(error)) is expected
