"""The confirmation and welcome mails' HTML in real Chromium at phone width: a Korean
line breaks between words (as the edition and every page of the site do), never inside one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from newsletter.signup.mail import Confirmation, confirmation_message
from newsletter.signup.welcome import LatestEdition, welcome_message
from tests.fixtures.site import make_site

NOW = datetime(2026, 2, 7, 9, 0, tzinfo=UTC)
URL = "https://news.example.com/confirm/token"

# every place inside one text node where a line ends between two letters
BROKEN_WORDS = """() => {
    const broken = [];
    for (const p of document.querySelectorAll('p, h1')) {
        if (getComputedStyle(p).wordBreak === 'break-all') continue;  // the raw URL
        const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
        let previous = null, top = null;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            previous = null;  // a <br> or another element between two text nodes
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i); range.setEnd(node, i + 1);
                const rect = range.getClientRects()[0];
                const ch = node.data[i];
                if (!rect || /\\s/.test(ch)) { previous = ch; continue; }
                if (top !== null && rect.top > top + 2 && previous && !/\\s/.test(previous))
                    broken.push(previous + '|' + ch);
                top = rect.top; previous = ch;
            }
        }
    }
    return broken;
}"""


def _html(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def test_korean_mails_break_lines_between_words(browser: Any, tmp_path: Path) -> None:
    settings = make_site(
        tmp_path,
        newsletter={
            "name": "데일리 테크 브리핑",
            "language": "ko",
            "base_url": "https://news.example.com",
        },
    ).settings
    identity, newsletter = settings.identity, settings.newsletter
    confirmation = Confirmation("kim@example.com", URL, NOW + timedelta(days=7))
    latest = LatestEdition("2026-02-07 데일리 테크 브리핑", f"{URL}/e", "2026년 2월 7일 토요일")
    mails = {
        "confirmation": confirmation_message(identity, newsletter, confirmation, NOW),
        "welcome": welcome_message(identity, newsletter, "kim@example.com", latest, URL, NOW),
    }
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        for name, raw in mails.items():
            page.set_content(_html(raw))
            assert page.evaluate(BROKEN_WORDS) == [], name
    finally:
        page.close()
