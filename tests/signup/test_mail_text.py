"""The confirmation and welcome mails as a plain-text mail client shows them: lines of at
most 78 columns (RFC 5322; Hangul two columns each), as the edition's text part has."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from newsletter.columns import display_width
from newsletter.signup.mail import Confirmation, confirmation_message, promise
from newsletter.signup.welcome import LatestEdition, welcome_message
from tests.fixtures.site import make_site

NOW = datetime(2026, 2, 7, 9, 0, tzinfo=UTC)
URL = "https://news.example.com/confirm/.eJyLVkpJzMyp1C1JTc7QTSrKTE3LzEvXS61IzC3ISdVLzs9V0lEq"


def _text(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _too_wide(text: str) -> list[str]:
    """Lines wider than 78 columns, but for a URL alone on its line (cut, it breaks)."""
    return [
        line
        for line in text.splitlines()
        if display_width(line) > 78 and not line.split(": ")[-1].startswith("http")
    ]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_confirmation_and_welcome_text_fit_78_columns(tmp_path: Path, language: str) -> None:
    settings = make_site(
        tmp_path,
        newsletter={
            "name": "Daily AI & Tech News" if language == "en" else "데일리 테크 브리핑",
            "language": language,
            "base_url": "https://news.example.com",
        },
    ).settings
    confirmation = Confirmation("kim@example.com", URL, NOW + timedelta(days=7))
    asked = _text(confirmation_message(settings.identity, settings.newsletter, confirmation, NOW))
    latest = LatestEdition(
        "2026-02-07 Daily AI & Tech News", "https://news.example.com/archive/2026-02-07/", "x"
    )
    welcome = welcome_message(
        settings.identity, settings.newsletter, "kim@example.com", latest, URL, NOW
    )
    welcomed = _text(welcome)
    for text in (asked, welcomed):
        assert _too_wide(text) == [], text
    # the words are all still there, and the links whole on their lines
    assert URL in asked.splitlines() and any(line.endswith(URL) for line in welcomed.splitlines())
    said = " ".join(promise(settings.newsletter).split())
    assert said in " ".join(asked.split()) and said in " ".join(welcomed.split())
