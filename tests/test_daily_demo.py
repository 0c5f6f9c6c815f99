"""The bundled demo's daily job, end to end, offline, in a temporary copy."""

from __future__ import annotations

import email
import html
import shutil
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest

from newsletter.model import Briefing
from newsletter.runtime import Runtime
from tests.fixtures.command import assert_marked_slow

pytestmark = pytest.mark.slow  # the demo's daily job as real `newsletter` processes

ROOT = Path(__file__).resolve().parents[1]
DEMO_DATE = "2026-02-07"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A private copy of examples/demo (without any data a previous `make demo` left)."""
    target = tmp_path / "demo"
    shutil.copytree(ROOT / "examples" / "demo", target, ignore=shutil.ignore_patterns("data"))
    return target


def newsletter(demo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert_marked_slow()
    return subprocess.run(
        [sys.executable, "-m", "newsletter", "--config", str(demo / "newsletter.toml"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(demo)},
    )


def test_daily_end_to_end_and_idempotent(demo: Path) -> None:
    imported = newsletter(demo, "subscribers", "import", str(demo / "subscribers.csv"))
    assert imported.returncode == 0, imported.stderr
    subscribers = [
        line.split(",")[0]
        for line in (demo / "subscribers.csv").read_text(encoding="utf-8").splitlines()[1:]
        if line.strip()
    ]

    stale, fresh = add_pending_signups(demo)

    first = newsletter(demo, "daily", "--date", DEMO_DATE)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    assert "signup: deleted 1 unconfirmed signups older than 30 days" in first.stdout
    assert status_of(demo, stale) is None  # never confirmed in 31 days: gone
    assert status_of(demo, fresh) == "pending"  # kept, and not sent the edition (below)

    edition = demo / "data" / "editions" / DEMO_DATE
    for name in ("items.json", "feeds.json", "briefing.json", "email.html", "email.txt", "post.md"):
        assert (edition / name).is_file(), name
    briefing = Briefing.from_json((edition / "briefing.json").read_text(encoding="utf-8"))
    assert 3 <= len(briefing.stories) <= 5
    assert briefing.language == "ko"
    page = html.unescape((edition / "email.html").read_text(encoding="utf-8"))
    text = (edition / "email.txt").read_text(encoding="utf-8")
    post = (edition / "post.md").read_text(encoding="utf-8")
    for story in briefing.stories:
        assert story.headline in page
        assert story.headline in post
        # the text edition wraps at 72 columns: compare without line breaks
        assert " ".join(story.headline.split()) in " ".join(text.split())
    assert any(len(story.sources) >= 2 for story in briefing.stories), (
        "the shared story kept both sources"
    )

    messages = sorted((demo / "data" / "outbox" / DEMO_DATE).glob("*.eml"))
    assert len(messages) == len(subscribers)
    recipients = set()
    for path in messages:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        recipients.add(message["To"].addresses[0].addr_spec)
        assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/u/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content_type() == "multipart/alternative"
        assert message["Subject"] == briefing.subject  # the hook, not the date and name
        assert len(briefing.subject) <= 60 and briefing.subject != briefing.title
        assert "%%UNSUBSCRIBE_URL%%" not in message.get_body(("html",)).get_content()
    assert recipients == set(subscribers)

    second = newsletter(demo, "daily", "--date", DEMO_DATE)
    assert second.returncode == 0, second.stderr
    assert "nothing to send" in second.stdout
    assert len(list((demo / "data" / "outbox" / DEMO_DATE).glob("*.eml"))) == len(subscribers)


def add_pending_signups(demo: Path) -> tuple[str, str]:
    """Two signups nobody confirmed: one 31 days old, one from yesterday."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from newsletter import schema
    from newsletter.config import load_settings

    store = Runtime(load_settings(demo / "newsletter.toml")).subscribers
    for address, age in [("stale@example.org", 31), ("fresh@example.org", 1)]:
        subscriber, _ = store.add(address, source="signup", status="pending")
        with store.engine.begin() as connection:
            connection.execute(
                update(schema.subscribers)
                .where(schema.subscribers.c.id == subscriber.id)
                .values(created=datetime.now(UTC) - timedelta(days=age))
            )
    return "stale@example.org", "fresh@example.org"


def status_of(demo: Path, address: str) -> str | None:
    from newsletter.config import load_settings

    subscriber = Runtime(load_settings(demo / "newsletter.toml")).subscribers.get(address)
    return subscriber.status if subscriber else None


def test_hand_edited_briefing_survives_a_rerun(demo: Path) -> None:
    assert newsletter(demo, "collect", "--date", DEMO_DATE).returncode == 0
    assert newsletter(demo, "draft", "--date", DEMO_DATE).returncode == 0
    path = demo / "data" / "editions" / DEMO_DATE / "briefing.json"
    edited = path.read_text(encoding="utf-8").replace('"headline": "', '"headline": "[편집] ', 1)
    path.write_text(edited, encoding="utf-8")

    again = newsletter(demo, "draft", "--date", DEMO_DATE)
    assert again.returncode == 1
    assert "edited by hand" in again.stderr
    assert path.read_text(encoding="utf-8") == edited

    daily = newsletter(demo, "daily", "--date", DEMO_DATE)
    assert daily.returncode == 0, daily.stderr
    assert path.read_text(encoding="utf-8") == edited
    assert "[편집]" in (path.parent / "email.txt").read_text(encoding="utf-8")

    forced = newsletter(demo, "draft", "--date", DEMO_DATE, "--force")
    assert forced.returncode == 0
    assert "[편집]" not in path.read_text(encoding="utf-8")


def test_broken_briefing_blocks_render_with_json_path(demo: Path) -> None:
    assert newsletter(demo, "collect", "--date", DEMO_DATE).returncode == 0
    assert newsletter(demo, "draft", "--date", DEMO_DATE).returncode == 0
    path = demo / "data" / "editions" / DEMO_DATE / "briefing.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"url": "http', '"url": "javascript:http', 1),
        encoding="utf-8",
    )
    result = newsletter(demo, "render", "--date", DEMO_DATE)
    assert result.returncode == 1
    assert "stories[0].sources[0].url" in result.stderr
    assert not (path.parent / "email.html").exists()


def test_empty_day_sends_nothing(demo: Path) -> None:
    result = newsletter(demo, "daily", "--date", "2030-01-01")
    assert result.returncode == 1
    assert "nothing to send" in result.stderr or "no items" in result.stderr
    assert not (demo / "data" / "outbox" / "2030-01-01").exists()


def test_a_failing_feed_is_named_in_the_daily_output(demo: Path) -> None:
    """The cron mail of `daily` is where a person notices a publisher that went away."""
    config = demo / "newsletter.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[feeds]]\nurl = "feeds/moved-away.xml"\nname = "Moved Away"\n',
        encoding="utf-8",
    )
    assert newsletter(demo, "subscribers", "add", "reader@example.com").returncode == 0
    result = newsletter(demo, "daily", "--date", DEMO_DATE)
    assert result.returncode == 0, result.stderr  # the other feeds make the edition
    assert "from 7/8 feeds" in result.stdout
    failing = [line for line in result.stdout.splitlines() if "Moved Away" in line]
    assert len(failing) == 1 and "file not found" in failing[0]


def test_feeds_that_gave_nothing_say_why_in_the_daily_output(demo: Path) -> None:
    """A quiet zero is how a feed rots unseen: each one gets its own line with the reason."""
    result = newsletter(demo, "daily", "--date", "2030-01-01")
    text = " ".join(result.stdout.split())  # the terminal may wrap long lines
    assert text.count("gave no items:") == 7, result.stdout
    assert "DevPulse gave no items: 7 entries, all older than the window (newest 2026-02-0" in text


def test_the_demo_reads_its_article_pages(demo: Path) -> None:
    """What `make demo` shows: the picked stories' pages, served on loopback, are read."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(demo / "articles"))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = demo / "newsletter.toml"
        port = server.server_address[1]
        config.write_text(
            config.read_text(encoding="utf-8").replace(
                "http://127.0.0.1:8787/", f"http://127.0.0.1:{port}/"
            ),
            encoding="utf-8",
        )
        assert newsletter(demo, "collect", "--date", DEMO_DATE).returncode == 0
        drafted = newsletter(demo, "draft", "--date", DEMO_DATE)
    finally:
        server.shutdown()
        server.server_close()
    assert drafted.returncode == 0, drafted.stderr
    out = " ".join(drafted.stdout.split())
    assert "articles: 7/7 read (0 from the cache)" in out
    assert "selection: 5 of 31 candidate stories picked" in out
    briefing = Briefing.from_json(
        (demo / "data" / "editions" / DEMO_DATE / "briefing.json").read_text(encoding="utf-8")
    )
    text = " ".join(" ".join(story.summary + story.why) for story in briefing.stories)
    assert "conformance suite" in text  # only in TechWire's article page, not its feed
