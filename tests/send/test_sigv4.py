"""The lean SigV4 signer writes the very headers botocore's SigV4Auth writes for a send."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from unittest import mock

import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from newsletter.send.transports.sigv4 import JsonPostSigner

PATH = "/v2/email/outbound-emails"


def botocore_headers(
    credentials: Credentials, moment: datetime, host: str, url: str, body: bytes
) -> dict[str, str]:
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"Host": host, "Content-Type": "application/json"},
    )
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=moment):
        SigV4Auth(credentials, "ses", "eu-west-1").add_auth(request)
    return dict(request.headers.items())


@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEJr//////////wEaDO+token=="])
@pytest.mark.parametrize(
    ("host", "url", "path"),
    [
        ("email.eu-west-1.amazonaws.com", "https://email.eu-west-1.amazonaws.com", PATH),
        ("127.0.0.1:4566", "http://127.0.0.1:4566/prefix", f"/prefix{PATH}"),
    ],
)
def test_same_authorization_as_botocore(token: str | None, host: str, url: str, path: str) -> None:
    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    signer = JsonPostSigner(credentials, service="ses", region="eu-west-1", host=host, path=path)
    start = datetime(2026, 2, 7, 23, 59, 58, tzinfo=UTC)
    for moment in (start, start + timedelta(seconds=3)):  # the next day: a new signing key
        body = os.urandom(3000)
        ours = signer.headers(body, now=moment.timestamp())
        assert ours == botocore_headers(credentials, moment, host, f"{url}{PATH}", body)
        pieces = (body[:10], b"", body[10:2500], body[2500:])  # hashed without joining
        assert signer.headers(pieces, now=moment.timestamp()) == ours


def test_a_changed_body_changes_the_signature() -> None:
    credentials = Credentials("AKIDEXAMPLE", "secret")
    signer = JsonPostSigner(credentials, service="ses", region="us-east-1", host="h", path=PATH)
    assert (
        signer.headers(b"{}", now=0)["Authorization"]
        != signer.headers(b"{ }", now=0)["Authorization"]
    )
