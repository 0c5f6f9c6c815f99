"""Fixtures for the web tests: a temporary newsletter, its database, and a live uvicorn.

Every app under test is served by uvicorn on 127.0.0.1 from a background thread
and reached with real HTTP; the socket is bound before the config is written so
that `base_url` (and therefore the unsubscribe links in sent messages) points
at the very server under test.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from newsletter.audience.store import SubscriberStore
from newsletter.config import Settings
from newsletter.runtime import Paths
from tests.fixtures.site import make_site

ROOT = Path(__file__).resolve().parents[2]
BRIEFINGS = ROOT / "tests" / "render" / "data"
DAY = "2026-02-07"
SECRET = "test-secret-key-0123456789abcdef"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", SECRET)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A socket bound to 127.0.0.1 on a free port, handed to uvicorn later."""
    from newsletter.web.server import bind

    sock = bind("127.0.0.1", 0)
    yield sock
    sock.close()


def write_config(
    tmp_path: Path,
    base_url: str,
    *,
    language: str = "en",
    name: str = "Daily AI & Tech News",
    feedback: dict[str, Any] | None = None,
    sender: dict[str, Any] | None = None,
) -> Settings:
    """The test site served at `base_url`, with the feedback topic it trusts."""
    return make_site(
        tmp_path,
        **({"sender": sender} if sender else {}),
        newsletter={
            "name": name,
            "language": language,
            "base_url": base_url,
            "list_id": "daily.example.com",
        },
        feedback={"transient_bounce_limit": 3, "topic_arns": TOPIC, **(feedback or {})},
    ).settings


def place_briefing(settings: Settings, language: str = "en") -> Path:
    """The test briefing as editions/DAY/briefing.json (a person's edited draft)."""
    directory = Paths.of(settings).edition_dir(DAY)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "briefing.json"
    shutil.copyfile(BRIEFINGS / f"briefing-{language}.json", target)
    return target


@pytest.fixture
def serve() -> Callable[..., AbstractContextManager[str]]:
    """`with serve(app, sock) as url:` runs the app under uvicorn for the block."""
    from newsletter.web.server import running

    return running


class ListLookups:
    """What a test asks the list about one address; mixed into helpers that have a `store`."""

    store: SubscriberStore

    def status(self, address: str) -> str:
        subscriber = self.store.get(address)
        assert subscriber is not None
        return subscriber.status

    def events(self, address: str) -> list[tuple[str, str]]:
        subscriber = self.store.get(address)
        assert subscriber is not None
        return [(e.status, e.source) for e in self.store.events(subscriber.id)]


class LogLines(list):
    """The access-log sink: every JSON line the app wrote."""

    def __call__(self, line: str) -> None:
        self.append(line)

    def records(
        self, path: str = "", at_least: int = 0, timeout: float = 120.0
    ) -> list[dict[str, Any]]:
        """The lines as dicts (of `path` only, if given), once there are `at_least` of them:
        the app writes a line after the response has gone, so a client can be a moment
        ahead of the log."""
        import json
        import time

        deadline = time.monotonic() + timeout
        while True:
            records = [json.loads(line) for line in list(self)]
            records = [r for r in records if r["path"] == path] if path else records
            if len(records) >= at_least or time.monotonic() > deadline:
                return records
            time.sleep(0.01)
