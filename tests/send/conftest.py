"""A newsletter on disk for send tests: config, one rendered edition, subscribers.

Everything is real: the config file is parsed by the same loader as the CLI's,
the edition is written where `send` reads it, subscribers go in through the CSV
importer, and SES is moto server (or the faulty proxy in front of it).
"""

from __future__ import annotations

import email
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import pytest

from newsletter.audience.importer import import_csv
from newsletter.audience.store import SubscriberStore
from newsletter.brief.briefing_file import save_briefing
from newsletter.config import Settings, load_settings
from newsletter.model import NAME_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, Briefing, Source, Story
from newsletter.runtime import Paths, Runtime
from tests.fixtures.command import SECRET, CommandLine
from tests.fixtures.site import make_site

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 2, 7)
SUBJECT = "2026-02-07 데일리 테크 브리핑: 에이전트가 만든 C 컴파일러"


@dataclass
class Newsletter(CommandLine):
    root: Path
    config: Path
    endpoint: str = ""
    database: str = ""
    smtp: dict[str, Any] | None = None

    def reconfigure(self, **sender: Any) -> None:
        """Rewrite the config with other [sender] keys (the operator edits the file)."""
        write_config(self.root, self.endpoint, database=self.database, smtp=self.smtp, **sender)

    @property
    def settings(self) -> Settings:
        return load_settings(self.config)

    def store(self) -> SubscriberStore:
        return Runtime(self.settings).subscribers

    def subscribe(self, emails: Iterable[str], name: Callable[[int], str] = lambda i: "") -> None:
        """Import through the CSV importer (fast enough for thousands)."""
        path = self.root / "import.csv"
        rows = [f"{address},{name(i)}" for i, address in enumerate(emails)]
        path.write_text("email,name\n" + "\n".join(rows) + "\n", encoding="utf-8")
        summary = import_csv(self.store(), path)
        assert summary.rows == len(rows)

    def set_status(self, address: str, status: str) -> None:
        store = self.store()
        subscriber = store.get(address)
        assert subscriber is not None
        source = {"unsubscribed": "one-click", "bounced": "bounce", "complained": "complaint"}
        store.set_status(subscriber.id, status, source=source.get(status, "cli"))

    def rows(self) -> dict[str, str]:
        """email → send-log state for the edition (SQLite only)."""
        with sqlite3.connect(self.root / "newsletter.db", timeout=30) as conn:
            return dict(
                conn.execute(
                    "SELECT email, state FROM send_log WHERE edition = ?", (DAY.isoformat(),)
                ).fetchall()
            )

    def state_count(self, state: str, day: date = DAY) -> int:
        with sqlite3.connect(self.root / "newsletter.db", timeout=30) as conn:
            try:
                return conn.execute(
                    "SELECT count(*) FROM send_log WHERE edition = ? AND state = ?",
                    (day.isoformat(), state),
                ).fetchone()[0]
            except sqlite3.OperationalError:  # no send_log table before the first send
                return 0


def ses_sender(endpoint: str, **changes: Any) -> dict[str, Any]:
    """The [sender] table of a send test: SES at `endpoint`, fast enough for thousands."""
    return {
        "from": "데일리 테크 브리핑 <briefing@example.com>",
        "transport": "ses",
        "region": "us-east-1",
        "endpoint_url": endpoint,
        "max_rate": 5000.0,
        "daily_quota": 1_000_000,
        "workers": 8,
        **changes,
    }


def write_config(
    root: Path,
    endpoint: str,
    *,
    database: str = "",
    smtp: dict[str, Any] | None = None,
    **sender: Any,
) -> Path:
    site = make_site(
        root,
        newsletter={"name": "데일리 테크 브리핑", "language": "ko"},
        sender=ses_sender(endpoint, **sender),
        database={"url": database or "sqlite:///newsletter.db"},
        **({"smtp": smtp} if smtp else {}),
    )
    return site.config_path


def small_edition(settings: Settings, day: date = DAY) -> None:
    """A tiny hand-written edition (moto parses every message; thousands must stay light)."""
    briefing = Briefing(
        date=day,
        title=SUBJECT,
        language="ko",
        intro=["오늘의 소식입니다."],
        stories=[
            Story(
                emoji="💥",
                headline="에이전트가 만든 C 컴파일러",
                summary_title="요약",
                summary=["여러 에이전트가 함께 컴파일러를 만들었습니다."],
                sources=[Source("Anthropic", "https://www.anthropic.com/news")],
            )
        ],
    )
    directory = Paths.of(settings).edition_dir(day)
    directory.mkdir(parents=True, exist_ok=True)
    save_briefing(briefing, directory)
    (directory / "email.html").write_text(
        f"<html><body><p>{NAME_PLACEHOLDER}님, 안녕하세요</p>"
        f'<a href="{UNSUBSCRIBE_PLACEHOLDER}">수신 거부</a></body></html>',
        encoding="utf-8",
    )
    (directory / "email.txt").write_text(
        f"{NAME_PLACEHOLDER}님, 안녕하세요\n수신 거부: {UNSUBSCRIBE_PLACEHOLDER}\n",
        encoding="utf-8",
    )
    (directory / "post.md").write_text("# post\n", encoding="utf-8")


@pytest.fixture
def make_newsletter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Newsletter]:
    """`make_newsletter(endpoint, database=…, **sender_keys)`: config + small edition."""
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", SECRET)
    made = 0

    def make(
        endpoint: str, *, database: str = "", smtp: dict[str, Any] | None = None, **sender: Any
    ) -> Newsletter:
        nonlocal made
        made += 1
        root = tmp_path / f"newsletter-{made}"
        root.mkdir()
        config = write_config(root, endpoint, database=database, smtp=smtp, **sender)
        newsletter = Newsletter(root, config, endpoint, database, smtp)
        small_edition(newsletter.settings)
        return newsletter

    return make


def copies_per_recipient(messages: list[bytes]) -> Counter[str]:
    """How many messages each address got, from the To headers of what SES accepted."""
    parser = BytesHeaderParser()
    counts: Counter[str] = Counter()
    for raw in messages:
        for _name, address in getaddresses([parser.parsebytes(raw)["To"] or ""]):
            counts[address.lower()] += 1
    return counts


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def addresses(count: int, start: int = 0) -> list[str]:
    return [f"reader{i:05d}@example.net" for i in range(start, start + count)]
