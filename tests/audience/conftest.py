"""Every store test runs twice: on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.audience.store import SubscriberStore
from newsletter.db import ready


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'newsletter.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(database_url: str) -> SubscriberStore:
    return SubscriberStore(ready(database_url))


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    """A CSV file exactly as given (no newline translation), optionally with a BOM."""
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path
