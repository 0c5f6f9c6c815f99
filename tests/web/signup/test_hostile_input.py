"""Signup input from strangers (issue 16, items 3 and 4), through the real app over HTTP and
the real outbox: the confirmation mail carries nothing the requester wrote, and the limits
count mailboxes, not spellings of one."""

from __future__ import annotations

from email.message import EmailMessage

from tests.web.signup.conftest import Site

LURE = "URGENT: your account is locked, visit http://evil.example/reset"


def everything_in(message: EmailMessage) -> str:
    """Every header value and every decoded body part of `message`, as one string."""
    parts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if not part.is_multipart():
            parts.append(part.get_content())
    return "\n".join(parts)


def test_the_confirmation_mail_carries_no_text_the_requester_chose(site: Site) -> None:
    answer = site.post("victim@example.com", LURE)
    assert answer.status_code == 200
    site.wait(1)

    message = site.outbox()["victim@example.com"]
    seen = everything_in(message)
    for piece in ("URGENT", "locked", "evil.example", "reset"):
        assert piece not in seen, piece
    assert message["To"].addresses[0].display_name == ""
    assert message.get_body(("plain",)).get_content().startswith("Hello,\r\n")
    # the name is kept, for the owner's own list entry once confirmed
    subscriber = site.subscriber("victim@example.com")
    assert subscriber is not None and subscriber.name == LURE


def test_nor_for_a_forgotten_address_whose_name_waits_in_the_link(site: Site) -> None:
    site.store.add("gone@example.com", source="cli")
    site.store.forget("gone@example.com")
    site.post("gone@example.com", LURE)
    site.wait(1)
    seen = everything_in(site.outbox()["gone@example.com"])
    for piece in ("URGENT", "locked", "evil.example"):
        assert piece not in seen, piece


def test_a_korean_greeting_has_no_name_either(site: Site) -> None:
    site.post("kim@example.com", "김민지 — 계정이 잠겼습니다")
    site.wait(1)
    message = site.outbox()["kim@example.com"]
    assert "김민지" not in everything_in(message) and "잠겼" not in everything_in(message)
