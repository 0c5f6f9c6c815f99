"""Delivery, open and click events through `POST /feedback/ses`: signed SNS, over real HTTP."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from newsletter import schema
from newsletter.audience.store import SubscriberStore
from newsletter.feedback.sns import SnsVerifier
from newsletter.runtime import Runtime
from newsletter.web.server import url_of
from tests.feedback.ses_events import event
from tests.feedback.sns_signing import CERT_URL, FakeAws, Signer, make_certificate
from tests.web.conftest import TOPIC, write_config

STORY = "https://www.anthropic.com/news"


class Webhook:
    def __init__(self, url: str, store: SubscriberStore, signer: Signer) -> None:
        self.url, self.store, self.signer = url, store, signer

    def post(self, document: dict[str, Any], message_id: str = "") -> httpx.Response:
        message = self.signer.notification(document, TOPIC, message_id=message_id)
        return httpx.post(
            f"{self.url}/feedback/ses",
            content=json.dumps(message),
            headers={"Content-Type": "text/plain; charset=UTF-8"},
        )

    def count(self, kind: str) -> int:
        table = schema.delivery_events
        query = select(func.count()).where(table.c.kind == kind)
        with self.store.engine.connect() as connection:
            return int(connection.scalar(query) or 0)


@pytest.fixture(scope="module")
def keypair() -> tuple[Any, bytes]:
    return make_certificate()


def webhook(
    tmp_path: Path, listener: socket.socket, serve: Any, keypair: Any, tracking: bool
) -> Iterator[Webhook]:
    from newsletter.web.app import create_app

    key, pem = keypair
    choice = {"track_opens": tracking, "track_clicks": tracking}
    settings = write_config(tmp_path, url_of(listener), feedback=choice)
    store = Runtime(settings).subscribers
    store.add("ann@example.com")
    verifier = SnsVerifier(settings.feedback.topic_arns, fetch=FakeAws({CERT_URL: pem}))
    app = create_app(Runtime(settings), sns_verifier=verifier, access_log=lambda _: None)
    with serve(app, listener) as url:
        yield Webhook(url, store, Signer(key))


@pytest.fixture
def tracked(tmp_path: Path, listener: socket.socket, serve: Any, keypair: Any) -> Iterator[Webhook]:
    yield from webhook(tmp_path, listener, serve, keypair, True)


@pytest.fixture
def private(tmp_path: Path, listener: socket.socket, serve: Any, keypair: Any) -> Iterator[Webhook]:
    yield from webhook(tmp_path, listener, serve, keypair, False)


def test_every_event_type_is_stored_once(tracked: Webhook) -> None:
    documents = [
        event("Send", "ann@example.com", message_id="m-1"),
        event("Delivery", "ann@example.com", message_id="m-1"),
        event("DeliveryDelay", "ann@example.com", message_id="m-1"),
        event("Reject", "ann@example.com", message_id="m-2"),
        event("RenderingFailure", "ann@example.com", message_id="m-3"),
        event("Open", "ann@example.com", message_id="m-1"),
        event("Click", "ann@example.com", message_id="m-1", link=STORY),
    ]
    for document in documents:
        answer = tracked.post(document)
        assert answer.status_code == 200, answer.text
        assert answer.json()["events"] == 1, answer.text
    again = tracked.post(documents[1], message_id="another-sns-message")  # SES published twice
    assert again.status_code == 200 and again.json()["events"] == 0
    for kind in ("send", "delivery", "delay", "reject", "rendering_failure", "open", "click"):
        assert tracked.count(kind) == 1, kind


def test_a_replayed_sns_message_counts_once(tracked: Webhook) -> None:
    document = event("Delivery", "ann@example.com", message_id="m-1")
    first = tracked.post(document, message_id="sns-1")
    replay = tracked.post(document, message_id="sns-1")
    assert first.json()["status"] == "recorded"
    assert replay.json()["status"] == "duplicate"
    assert tracked.count("delivery") == 1


def test_opens_and_clicks_are_not_kept_unless_turned_on(private: Webhook) -> None:
    for document in (
        event("Open", "ann@example.com", message_id="m-1"),
        event("Click", "ann@example.com", message_id="m-1", link=STORY),
    ):
        answer = private.post(document)
        assert answer.status_code == 200 and answer.json()["events"] == 0
    assert private.count("open") == private.count("click") == 0
    assert (
        private.post(event("Delivery", "ann@example.com", message_id="m-1")).json()["events"] == 1
    )


def test_a_bounce_event_still_suppresses_the_address(private: Webhook) -> None:
    answer = private.post(event("Bounce", "ann@example.com", message_id="m-1"))
    assert answer.json()["changed"] == 1
    assert private.store.get("ann@example.com").status == "bounced"
    assert private.count("bounce") == 1
