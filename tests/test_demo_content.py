"""The bundled demo's content keeps the properties `make demo` and the demo tests rely on.

The demo runs with a fixed edition date, so its feeds are hand-dated around that day. An
edit that moves items out of the window, breaks a feed's XML or drops a feed format would
make the demo thin or silently stop exercising a code path; these checks catch that early,
independently of the collector's own behaviour.
"""

from __future__ import annotations

import calendar
import csv
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from email_validator import EmailNotValidError, validate_email

from newsletter.config import Settings, feed_location, load_settings

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo"
DEMO_DATE = date(2026, 2, 7)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(DEMO / "newsletter.toml")


@pytest.fixture(scope="module")
def window(settings: Settings) -> tuple[datetime, datetime]:
    end = settings.send_moment(DEMO_DATE).astimezone(UTC)
    return end - timedelta(hours=settings.brief.window_hours), end


@pytest.fixture(scope="module")
def parsed(settings: Settings) -> dict[str, Any]:
    return {
        feed.url: feedparser.parse(feed_location(settings.root, feed)) for feed in settings.feeds
    }


def _when(entry: Any) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None


def _distinct(parsed: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """Entries keyed by (feed, id): a GUID repeated within one feed counts once."""
    return {
        (url, entry.get("id") or entry.link): entry
        for url, d in parsed.items()
        for entry in d.entries
    }


def test_config_loads_with_the_demo_values(settings: Settings) -> None:
    assert settings.newsletter.language == "ko"
    assert settings.newsletter.timezone == "Asia/Seoul"
    assert settings.sender.transport == "outbox"
    assert settings.brief.writer == "extractive"
    # the demo's database lives in its git-ignored data folder, never in subscribers/
    assert settings.database.url == "sqlite:///data/newsletter.db"
    assert settings.newsletter.data_dir == "data"
    assert settings.send_moment(DEMO_DATE).astimezone(UTC) == datetime(2026, 2, 6, 22, tzinfo=UTC)


def test_every_configured_feed_exists_and_every_feed_file_is_configured(settings: Settings) -> None:
    configured = {Path(feed_location(settings.root, feed)) for feed in settings.feeds}
    assert all(path.is_file() for path in configured), sorted(map(str, configured))
    assert configured == {path.resolve() for path in (DEMO / "feeds").glob("*.xml")}
    assert len(configured) >= 6
    assert len({feed.section for feed in settings.feeds}) >= 5


def test_feeds_parse_cleanly_in_all_three_formats(parsed: dict[str, Any]) -> None:
    for url, d in parsed.items():
        assert not d.bozo, f"{url}: {d.get('bozo_exception')}"
        assert d.entries, url
    versions = Counter(d.version for d in parsed.values())
    assert {"rss20", "atom10", "rss10"} <= set(versions), versions
    languages = {(d.feed.get("language") or "")[:2] for d in parsed.values()}
    assert {"ko", "en"} <= languages


def test_enough_items_inside_and_outside_the_window(
    parsed: dict[str, Any], window: tuple[datetime, datetime]
) -> None:
    start, end = window
    entries = [entry for d in parsed.values() for entry in d.entries]
    distinct = _distinct(parsed)
    dates = [_when(entry) for entry in distinct.values()]
    inside = [when for when in dates if when and start <= when < end]
    older = [when for when in dates if when and when < start]
    later = [when for when in dates if when and when >= end]
    assert len(entries) >= 36
    assert len(inside) >= 24
    assert len(older) >= 6
    assert all(datetime(2026, 1, 30, tzinfo=UTC) <= when for when in older)
    assert len(later) >= 1
    assert dates.count(None) == 1, "exactly one undated item"
    assert len(entries) - len(distinct) == 1, "exactly one GUID repeated within a feed"


def test_items_have_substantial_content(parsed: dict[str, Any]) -> None:
    for (url, _), entry in _distinct(parsed).items():
        assert entry.get("title") and entry.get("link"), url
        html = entry.content[0].value if entry.get("content") else entry.get("summary", "")
        assert html.count("<p>") >= 2, f"{url}: {entry.title}"
        # four or more sentences for the extractive writer to choose from
        sentences = sum(html.count(mark) for mark in (". ", ".<", "다.", "? "))
        assert sentences >= 4, f"{url}: {entry.title}"


def test_cross_feed_duplicates_in_both_languages(parsed: dict[str, Any]) -> None:
    def feeds_with(*words: str) -> set[str]:
        return {
            url
            for url, d in parsed.items()
            for entry in d.entries
            if all(word.lower() in entry.title.lower() for word in words)
        }

    assert len(feeds_with("Claude", "C compiler")) == 2
    assert len(feeds_with("OpenAI", "개인정보 처리방침", "현지화")) == 2


def test_robustness_cases_are_present(parsed: dict[str, Any]) -> None:
    raw = {path.name: path.read_text(encoding="utf-8") for path in (DEMO / "feeds").glob("*.xml")}
    text = "\n".join(raw.values())
    assert "<script>" in text and "onerror=" in text and 'href="javascript:' in text
    assert "xml:base=" in text
    assert any(not entry.link.startswith("http") for d in parsed.values() for entry in d.entries)
    assert all(body.startswith('<?xml version="1.0" encoding="UTF-8"?>') for body in raw.values())


def test_subscribers_csv_has_valid_addresses() -> None:
    for path, minimum in ((DEMO / "subscribers.csv", 5), (ROOT / "subscribers" / "example.csv", 3)):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) >= minimum, path
        valid = []
        for line, row in enumerate(rows, start=2):
            try:
                valid.append(validate_email(row["email"], check_deliverability=False).normalized)
            except EmailNotValidError as exc:
                pytest.fail(f"{path}:{line}: {exc}")
        assert len({address.lower() for address in valid}) == len(valid), path
