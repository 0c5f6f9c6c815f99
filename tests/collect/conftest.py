"""Fixtures for the collector's tests: the loopback feed server and real Settings."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from feedserver import DAY, IN_WINDOW, NOW, FeedServer, rss, simple_feed

from newsletter.config import Settings
from tests.fixtures.site import make_site


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """The test site's Settings with these feeds, the feed cache in a temp SQLite file."""

    def build(
        feeds: list[str | dict[str, Any]],
        database: str = "sqlite:///data/newsletter.db",
        **collect: Any,
    ) -> Settings:
        return make_site(
            tmp_path,
            newsletter={"name": "Test"},
            sender={"from": "Test <news@example.com>"},
            database={"url": database},
            collect={
                "connect_timeout": 2.0,
                "total_timeout": 5.0,
                "allow_private_networks": True,  # the feed server is on 127.0.0.1
                **collect,
            },
            feeds=[{"url": f} if isinstance(f, str) else f for f in feeds],
        ).settings

    return build


@pytest.fixture
def feeds() -> Any:
    """The feed builders, for tests (conftest modules are not imported by name)."""

    class Builders:
        rss = staticmethod(rss)
        simple = staticmethod(simple_feed)
        day = DAY
        now = NOW
        in_window = IN_WINDOW

    return Builders


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    """The feed cache's database URL: a SQLite file, then the session PostgreSQL server."""
    if request.param == "sqlite":
        return "sqlite:///data/newsletter.db"
    try:  # the session PostgreSQL server from tests/fixtures/postgres.py (audience)
        return request.getfixturevalue("postgres_url")
    except pytest.FixtureLookupError:
        if os.environ.get("NEWSLETTER_REQUIRE_ALL") == "1":
            pytest.fail(
                "PostgreSQL is required (NEWSLETTER_REQUIRE_ALL=1): no postgres_url fixture"
            )
        pytest.skip("no postgres_url fixture in this tree")
