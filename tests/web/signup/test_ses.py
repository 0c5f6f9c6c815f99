"""The confirmation mail through SES: boto3 against moto in server mode on 127.0.0.1."""

from __future__ import annotations

import email
import socket
from email import policy
from pathlib import Path

import httpx

from newsletter.web.server import url_of
from tests.fixtures.ses import MotoServer
from tests.fixtures.site import make_site
from tests.web.signup.conftest import confirm_link, ses_settings, start_site


def test_confirmation_through_ses_then_confirm(
    tmp_path: Path,
    listener: socket.socket,
    serve,  # type: ignore[no-untyped-def]
    ses: MotoServer,
) -> None:
    settings = ses_settings(tmp_path, url_of(listener), ses.url)
    for site in start_site(tmp_path, listener, serve, settings=settings):
        assert site.post("kim@example.org", "김민지").status_code == 200
        assert site.post("kim@example.org", "again").status_code == 200  # within 10 minutes
        site.wait(2)
        [raw] = ses.sent_raw_messages()
        message = email.message_from_bytes(raw, policy=policy.default)
        assert message["To"].addresses[0].addr_spec == "kim@example.org"
        assert message["To"].addresses[0].display_name == ""  # nothing the requester chose
        assert "김민지" not in message.get_body(("plain",)).get_content()
        assert message["Subject"] == "Confirm your subscription to Daily AI & Tech News"
        link = confirm_link(message)
        assert link.startswith(f"{site.url}/confirm/")
        assert site.status("kim@example.org") == "pending"
        assert httpx.post(link).status_code == 200
        assert site.status("kim@example.org") == "active"
        subscriber = site.subscriber("kim@example.org")
        assert subscriber is not None and subscriber.name == "김민지"  # kept for its owner


def test_ses_refusal_is_logged_and_the_answer_is_unchanged(
    tmp_path: Path,
    listener: socket.socket,
    serve,  # type: ignore[no-untyped-def]
    ses: MotoServer,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    """An unverified sender: SES refuses, the person still sees the usual page, the operator
    gets one log line, and the pending row waits for the person to ask again."""
    path = ses_settings(tmp_path, url_of(listener), ses.url).path
    unverified = "Daily Briefing <briefing@unverified.example>"
    settings = make_site(tmp_path, base=path, sender={"from": unverified}).settings
    for site in start_site(tmp_path, listener, serve, settings=settings):
        with caplog.at_level("ERROR", logger="newsletter.web.signup"):
            answer = site.post("kim@example.org")
            site.wait(1)
        assert answer.status_code == 200 and "Check your inbox" in answer.text
        assert ses.sent_raw_messages() == []
        [record] = [r for r in caplog.records if r.name == "newsletter.web.signup"]
        assert "no confirmation sent" in record.getMessage()
        assert "MessageRejected" in record.getMessage() or "verified" in record.getMessage()
        assert site.status("kim@example.org") == "pending"
