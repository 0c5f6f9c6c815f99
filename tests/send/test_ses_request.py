"""The lean SES request carries what boto3's `send_email` would, in the bytes it always sent."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.serialize import create_serializer

from newsletter.send.transports.ses_request import SignedSender

RAW = b"From: a@example.com\r\nTo: r@example.net\r\nSubject: hi\r\n\r\nhello \xc3\xa9\r\n"


class Capture:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        capture = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                return None

            def do_POST(self) -> None:
                capture.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                data = b'{"MessageId":"m-1"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def capture() -> Iterator[Capture]:
    endpoint = Capture()
    thread = threading.Thread(target=endpoint.server.serve_forever, daemon=True)
    thread.start()
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


@pytest.mark.parametrize(
    ("sender", "recipient", "tags", "configuration_set"),
    [
        ("news@example.com", "reader@example.net", {"edition": "2026-02-07"}, ""),
        ('"데일리 \\"브리핑\\"" <news@example.com>', "r+1@xn--bcher-kva.example", {}, "set-1"),
        ("n@example.com", "r@example.net", {"edition": "d", "kind": "test"}, "cs"),
        ("n@example.com", "r@example.net", {}, ""),
    ],
)
def test_the_body_is_boto3_s_request_in_the_bytes_it_always_was(
    capture: Capture,
    sender: str,
    recipient: str,
    tags: dict[str, str],
    configuration_set: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    session = boto3.session.Session()
    client = session.client("sesv2", region_name="us-east-1", endpoint_url=capture.url)
    signed = SignedSender(client, session.get_credentials())
    for _ in range(2):  # the second message reuses the campaign's frame
        message_id = signed.send(
            RAW, sender=sender, recipient=recipient, tags=tags, configuration_set=configuration_set
        )
        assert message_id == "m-1"
    signed.close()
    params: dict[str, Any] = {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [recipient]},
        "Content": {"Raw": {"Data": RAW}},
    }
    if tags:
        params["EmailTags"] = [{"Name": k, "Value": v} for k, v in tags.items()]
    if configuration_set:
        params["ConfigurationSetName"] = configuration_set
    model = client.meta.service_model.operation_model("SendEmail")
    boto = create_serializer("rest-json").serialize_to_request(params, model)
    # the bytes every earlier version wrote: json.dumps of the fields, then the content
    fields = {k: v for k, v in params.items() if k != "Content"}
    expected = (
        json.dumps(fields)[:-1].encode()
        + b', "Content": {"Raw": {"Data": "'
        + base64.b64encode(RAW)
        + b'"}}}'
    )
    assert capture.bodies == [expected, expected]
    assert json.loads(expected) == json.loads(boto["body"])
