"""`daily` with hostile headlines in the feeds: the edition still goes out (issue 16, item 2).

The whole morning job runs in-process on real feed files (RSS on disk), the offline
writer, the real render and the outbox transport; what counts is what each reader's
.eml says and what `daily` reports.
"""

from __future__ import annotations

import email
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from newsletter.columns import display_width
from newsletter.operations.daily import run_daily
from newsletter.runtime import Paths, Runtime
from tests.brief.factory import DAY
from tests.fixtures.command import SECRET
from tests.fixtures.site import Site, site_factory
from tests.render.conftest import (
    CHINESE_60,
    ENGLISH_WORD_80,
    LONG_TITLE,
    ORDINARY,
    truncating_templates,
)

__all__ = ["site_factory", "truncating_templates"]

READERS = ["ada@example.com", "grace@example.org"]


def _feed(path: Path, titles: list[str]) -> None:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>https://news{n}.example/story/{n}</link>"
        f"<guid>https://news{n}.example/story/{n}</guid>"
        f"<pubDate>Fri, 06 Feb 2026 {19 - n % 10:02d}:00:00 GMT</pubDate>"
        f"<description>Report {n} says the details follow in a longer piece next week. "
        f"Analysts expect more news on this by the end of the month.</description></item>"
        for n, title in enumerate(titles)
    )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Wire</title><link>https://wire.example/</link>{items}</channel></rss>",
        encoding="utf-8",
    )


@pytest.fixture
def morning(
    site_factory: Callable[..., Site], monkeypatch: pytest.MonkeyPatch
) -> Callable[[list[str]], Site]:
    """`morning(titles)`: a site with one local feed of `titles`, outbox transport, readers."""
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", SECRET)

    def make(titles: list[str]) -> Site:
        site = site_factory(
            brief={"max_stories": 8, "max_per_section": 8},
            feeds=[{"url": "wire.xml", "section": "ai", "name": "Wire"}],
        )
        _feed(site.root / "wire.xml", titles)
        store = Runtime(site.settings).subscribers
        for reader in READERS:
            store.add(reader)
        return site

    return make


def _mails(site: Site) -> list[EmailMessage]:
    folder = Paths.of(site.settings).outbox_dir(DAY)
    return [
        email.message_from_bytes(path.read_bytes(), policy=default)  # type: ignore[misc]
        for path in sorted(folder.glob("*.eml"))
    ]


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return "".join(part.get_content().split())


def test_daily_delivers_the_headlines_that_used_to_stop_it(
    morning: Callable[[list[str]], Site],
) -> None:
    site = morning([CHINESE_60, ENGLISH_WORD_80, LONG_TITLE, *ORDINARY])
    lines: list[str] = []

    report = run_daily(site.runtime, DAY, say=lines.append)

    assert report.summary is not None and report.summary.sent == len(READERS), lines
    assert not [line for line in lines if "dropped" in line]
    mails = _mails(site)
    assert len(mails) == len(READERS)
    for mail in mails:
        text = _text(mail)
        for headline in (CHINESE_60, ENGLISH_WORD_80, *ORDINARY):
            assert "".join(headline.split()) in text
        assert "Regulatorspublishaverylong" in text and LONG_TITLE.replace(" ", "") not in text
    briefing = (Paths.of(site.settings).edition_dir(DAY) / "briefing.json").read_text(
        encoding="utf-8"
    )
    assert LONG_TITLE not in briefing  # capped at draft, with an ellipsis
    plain = mails[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert all(display_width(line) <= 72 for line in plain.splitlines() if "://" not in line)


def test_daily_drops_the_faulty_story_reports_it_and_sends_the_rest(
    morning: Callable[[list[str]], Site], truncating_templates: Path
) -> None:
    """An operator's restyled text edition cuts headlines (and source titles) at 80
    characters: the one story with a longer headline fails `headlines-text`."""
    faulty = "A story whose headline is much longer than eighty characters, so the template cuts it"
    site = morning([*ORDINARY, CHINESE_60, faulty])
    lines: list[str] = []

    report = run_daily(site.runtime, DAY, say=lines.append)

    assert report.summary is not None and report.summary.sent == len(READERS), lines
    [dropped] = [line for line in lines if "dropped" in line]
    assert dropped.startswith("render: dropped story ") and "headlines-text" in dropped
    assert faulty[:40] in dropped
    for mail in _mails(site):
        text = _text(mail)
        assert "Astorywhoseheadline" not in text
        for headline in (*ORDINARY, CHINESE_60):
            assert "".join(headline.split()) in text
        kept = len(ORDINARY) + 1  # the intro and outro count what the reader gets
        assert f"{kept}stories" in text and f"{kept + 1}stories" not in text
