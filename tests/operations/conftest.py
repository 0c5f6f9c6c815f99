"""The bundled demo, sending through SES (moto server) instead of the outbox.

The daily job runs for real: `python -m newsletter --config … daily` collects the
demo's local feed files, drafts and renders the edition and sends it to moto,
whose record of raw messages tells how many copies each subscriber got. The
database is the demo's SQLite file or a fresh PostgreSQL database.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsletter.config import Settings, database_url, load_settings
from newsletter.runtime import Runtime
from tests.fixtures.command import SECRET, CommandLine
from tests.fixtures.site import make_site
from tests.send.conftest import addresses, make_newsletter, ses_sender

__all__ = ["make_newsletter"]  # the send tests' fixture: a config and a small edition

ROOT = Path(__file__).resolve().parents[2]
DEMO_DATE = "2026-02-07"


@dataclass
class Demo(CommandLine):
    root: Path
    config: Path

    @property
    def settings(self) -> Settings:
        return load_settings(self.config)

    def subscribe(self, count: int) -> list[str]:
        from newsletter.audience.importer import import_csv

        emails = addresses(count)
        path = self.root / "readers.csv"
        path.write_text("email\n" + "\n".join(emails) + "\n", encoding="utf-8")
        import_csv(Runtime(self.settings).subscribers, path)
        return emails

    def query(self, sql: str, **params: Any) -> list[Any]:
        from sqlalchemy import text

        from newsletter import db

        with db.engine(database_url(self.settings)).connect() as conn:
            return list(conn.execute(text(sql), params))

    def states(self, day: str = DEMO_DATE) -> Counter[str]:
        """Send-log rows per state (empty before the first send made the table)."""
        try:
            rows = self.query(
                "SELECT state, count(*) FROM send_log WHERE edition = :day GROUP BY state",
                day=day,
            )
        except Exception:  # no send_log table yet
            return Counter()
        return Counter({state: count for state, count in rows})

    def stage(self, day: str = DEMO_DATE) -> tuple[str, str | None, str | None] | None:
        try:
            rows = self.query(
                "SELECT stage, failed_step, reason FROM editions WHERE edition = :day", day=day
            )
        except Exception:
            return None
        return tuple(rows[0]) if rows else None  # type: ignore[return-value]

    def edition_dir(self, day: str = DEMO_DATE) -> Path:
        return self.root / "data" / "editions" / day


def write_demo_config(root: Path, endpoint: str, *, database: str = "", **sender: Any) -> None:
    """The demo's own config with [sender] pointed at `endpoint` (SES) and `database`."""
    config = root / "newsletter.toml"
    make_site(
        root,
        base=config,
        sender=ses_sender(endpoint, **sender),
        database={"url": database} if database else {},
    )


@pytest.fixture
def make_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Demo]:
    """`make_demo(endpoint, database="", **sender)`: a private copy of examples/demo."""
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", SECRET)
    made = 0

    def make(endpoint: str, *, database: str = "", **sender: Any) -> Demo:
        nonlocal made
        made += 1
        root = tmp_path / f"demo-{made}"
        shutil.copytree(
            ROOT / "examples" / "demo", root, ignore=shutil.ignore_patterns("data", "*.csv")
        )
        write_demo_config(root, endpoint, database=database, **sender)
        return Demo(root, root / "newsletter.toml")

    return make
