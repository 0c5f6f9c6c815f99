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


def test_plus_addresses_share_their_mailbox_limit(site: Site) -> None:
    """Six tags of one mailbox from one network within a second: one confirmation mail."""
    for n in range(1, 7):
        assert site.post(f"target+{n}@example.com", ip="198.51.100.7").status_code == 200
    site.wait(6)
    assert list(site.outbox()) == ["target+1@example.com"]
    first = site.subscriber("target+1@example.com")
    assert first is not None and first.email == "target+1@example.com"  # stored as typed
    assert site.status("target+2@example.com") == "absent"
    site.clock.advance(minutes=11)  # the mailbox's next mail is due: any spelling may have it
    site.post("target@example.com", ip="198.51.100.7")
    site.wait(7)
    assert sorted(site.outbox()) == ["target+1@example.com", "target@example.com"]


def test_gmail_ignores_dots_and_so_do_the_limits(site: Site) -> None:
    site.post("target@gmail.com")
    site.post("t.a.r.get@gmail.com")
    site.post("T.A.R.G.E.T+x@googlemail.com")
    site.wait(3)
    assert list(site.outbox()) == ["target@gmail.com"]
    # elsewhere a dot is another person's address
    site.post("t.a.r.get@example.com")
    site.post("target@example.com")
    site.wait(5)
    assert {"t.a.r.get@example.com", "target@example.com"} <= set(site.outbox())
