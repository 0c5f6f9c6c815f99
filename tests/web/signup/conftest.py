"""A live signup site: the public app under uvicorn on 127.0.0.1, with an injected clock.

The clock drives the rate limits and the age of confirmation links, so tests move
time instead of waiting. What was sent is read back from the real transport (the
outbox's .eml files, or moto's SES server); the app's background work is awaited
through the count of finished signups, never by sleeping a fixed time.
"""

from __future__ import annotations

import email
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsletter.audience.store import Subscriber, SubscriberStore
from newsletter.config import Settings
from newsletter.runtime import Runtime
from newsletter.signup.limits import SignupLimits
from newsletter.signup.service import SignupService
from newsletter.web.server import url_of
from newsletter.web.signup import SignupPages
from tests.fixtures.site import make_site
from tests.web.conftest import SECRET, LogLines, write_config

START = datetime(2026, 2, 7, 9, 0, tzinfo=UTC)
ROOT_README = Path(__file__).resolve().parents[3] / "README.md"
LINK = re.compile(r"https?://[^\s\"<>]+/confirm/[A-Za-z0-9._-]+")


class Clock:
    """The service's notion of now; `advance(minutes=11)` moves it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Site:
    url: str
    settings: Settings
    store: SubscriberStore
    service: SignupService
    pages: SignupPages
    clock: Clock
    app: Any
    log: LogLines

    def post(self, address: str, name: str = "", **fields: str) -> httpx.Response:
        """POST the form as a browser would (urlencoded); extra fields and headers allowed."""
        headers = {"User-Agent": "pytest-browser/1.0"}
        if "ip" in fields:
            headers["X-Forwarded-For"] = fields.pop("ip")
        return httpx.post(
            f"{self.url}/subscribe",
            data={"email": address, "name": name, **fields},
            headers=headers,
        )

    def wait(self, finished: int, timeout: float = 120) -> None:
        """Until `finished` background signups have completed."""
        deadline = time.monotonic() + timeout
        while self.pages.finished < finished:
            assert time.monotonic() < deadline, f"only {self.pages.finished} signups finished"
            time.sleep(0.01)

    def subscriber(self, address: str) -> Subscriber | None:
        return self.store.get(address)

    def status(self, address: str) -> str:
        subscriber = self.store.get(address)
        return subscriber.status if subscriber else "absent"

    def outbox(self) -> dict[str, EmailMessage]:
        """The latest message per recipient in every day's outbox folder."""
        return read_outbox(self.settings.data_dir / "outbox")

    def welcomes(self) -> dict[str, EmailMessage]:
        """The welcome mails sent, per recipient."""
        return read_outbox(self.settings.data_dir / "outbox", "welcome")

    def wait_welcomed(self, count: int, timeout: float = 120) -> None:
        """Until `count` background welcome mails have been handled (sent or failed)."""
        deadline = time.monotonic() + timeout
        while self.pages.welcomed < count:
            assert time.monotonic() < deadline, f"only {self.pages.welcomed} welcomes handled"
            time.sleep(0.01)

    def link(self, address: str) -> str:
        return confirm_link(self.outbox()[address])


def read_outbox(directory: Path, kind: str = "") -> dict[str, EmailMessage]:
    """{recipient: message} from the .eml files under `directory`, later files winning
    (the outbox keeps one file per recipient per day); `kind="welcome"` reads the
    welcome mails (`….welcome.eml`) instead of the confirmations."""
    found = {}
    paths = [
        p
        for p in directory.rglob("*.eml")
        if p.name.endswith(f".{kind}.eml") or (not kind and not p.name.endswith(".welcome.eml"))
    ]
    for path in sorted(paths, key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        found[message["To"].addresses[0].addr_spec] = message
    return found


def confirm_link(message: Any) -> str:
    """The confirmation URL from the plain-text part, checked against the HTML part."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    links = LINK.findall(text)
    assert len(links) == 1, text
    assert f'href="{links[0]}"' in html
    return links[0]


def start_site(
    tmp_path: Path,
    listener: socket.socket,
    serve: Callable[..., Any],
    *,
    language: str = "en",
    limits: SignupLimits | None = None,
    settings: Settings | None = None,
    transport_factory: Callable[..., Any] | None = None,
    clock: Clock | None = None,
    latest_edition: Callable[..., Any] | None = None,
) -> Iterator[Site]:
    from newsletter.web.app import create_app

    if settings is None:
        settings = write_config(tmp_path, url_of(listener), language=language)
    runtime = Runtime(settings)
    store = runtime.subscribers
    clock = clock or Clock()
    service = SignupService(
        settings.identity,
        settings.newsletter,
        store,
        SECRET,
        limits=limits or SignupLimits.from_settings(settings.signup),
        clock=clock,
        transport_factory=transport_factory or runtime.transport,
        latest_edition=latest_edition,
    )
    log = LogLines()
    app = create_app(Runtime(settings), access_log=log, signup=service)
    with serve(app, listener) as url:
        yield Site(url, settings, store, service, app.app.state.signup, clock, app, log)


@pytest.fixture
def site(tmp_path: Path, listener: socket.socket, serve) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    yield from start_site(tmp_path, listener, serve)


def ses_settings(tmp_path: Path, base_url: str, endpoint: str) -> Settings:
    """A newsletter whose transport is SES at `endpoint` (moto server)."""
    return make_site(
        tmp_path,
        newsletter={"base_url": base_url, "list_id": "daily.example.com", "postal_address": None},
        sender={"transport": "ses", "region": "us-east-1", "endpoint_url": endpoint},
    ).settings
