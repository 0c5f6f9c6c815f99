"""`/subscribe` over real HTTP: the form, the answer, the confirmation mail in the outbox,
and the promise that the answer says nothing about who is on the list."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import httpx

from newsletter.web.server import url_of
from tests.web.conftest import write_config
from tests.web.signup.conftest import Site, start_site


def test_form_page_names_the_list_and_what_arrives_when(site: Site) -> None:
    page = httpx.get(f"{site.url}/subscribe")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Subscribe to Daily AI &amp; Tech News" in page.text
    assert "One email a day at 07:00 (Asia/Seoul time)" in page.text
    for field in ('name="email"', 'name="name"', 'name="website"'):
        assert field in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


def test_korean_form_page(tmp_path: Path, listener: socket.socket, serve) -> None:  # type: ignore[no-untyped-def]
    for site in start_site(tmp_path, listener, serve, language="ko"):
        page = httpx.get(f"{site.url}/subscribe")
        assert '<html lang="ko">' in page.text
        assert "구독하기" in page.text and "매일 07:00(Asia/Seoul 기준)" in page.text
        answer = site.post("kim@example.com", "김민지")
        assert "메일함을 확인해 주세요" in answer.text
        site.wait(1)
        message = site.outbox()["kim@example.com"]
        assert message["Subject"] == "Daily AI & Tech News 구독을 확인해 주세요"
        assert message["To"].addresses[0].display_name == ""  # no text the requester chose
        assert "안녕하세요." in message.get_body(("plain",)).get_content()
        # a bad address is explained in Korean, not in email-validator's English
        refused = site.post("kim@example")
        assert refused.status_code == 400
        assert "이메일 주소 형식이 아닙니다: @ 뒤의 도메인에 마침표(.)가 있어야" in refused.text
        assert "should have a period" not in refused.text


def test_signup_makes_a_pending_subscriber_and_sends_one_confirmation(site: Site) -> None:
    answer = site.post("Kim@Example.com", "Kim Minji")
    assert answer.status_code == 200
    assert "Check your inbox" in answer.text and "Kim@Example.com" in answer.text
    site.wait(1)

    subscriber = site.subscriber("kim@example.com")
    assert subscriber is not None
    assert (subscriber.status, subscriber.name) == ("pending", "Kim Minji")
    [event] = site.store.events(subscriber.id)
    assert (event.status, event.source) == ("pending", "signup")
    assert json.loads(event.detail)["ip"] == "127.0.0.1"

    outbox = site.outbox()
    assert list(outbox) == ["Kim@Example.com"]
    message = outbox["Kim@Example.com"]
    assert message["Subject"] == "Confirm your subscription to Daily AI & Tech News"
    assert message["From"] == "Daily Briefing <briefing@example.com>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@example.com>")
    assert message["List-Unsubscribe"] is None  # a transactional message, not the list
    text = message.get_body(("plain",)).get_content()
    assert "One email a day at 07:00 (Asia/Seoul time)" in text
    assert "The link works until 2026-02-14 18:00 (Asia/Seoul)" in text  # 7 days after START
    assert site.link("Kim@Example.com").startswith(f"{site.url}/confirm/")
    # nothing is sent to a pending subscriber by a campaign
    assert [s.email for s in site.store.iter_active()] == []


def test_invalid_address_gets_the_form_back_with_one_line(site: Site) -> None:
    answer = site.post('"><script>alert(1)</script>@', "x")
    assert answer.status_code == 400
    assert "This does not look like an email address" in answer.text
    assert "<script>alert(1)" not in answer.text and "&lt;script&gt;" in answer.text
    empty = site.post("  ")
    assert empty.status_code == 400 and "Please enter your email address." in empty.text
    hangul_local = site.post("김민지@example.com")
    assert hangul_local.status_code == 400 and "non-Latin letters" in hangul_local.text
    assert site.pages.finished == 0 and site.store.count_by_status()["pending"] == 0


def test_honeypot_gets_the_same_answer_and_nothing_happens(site: Site) -> None:
    trapped = site.post("bot@example.com", "Bot", website="http://spam.example")
    honest = site.post("bot2@example.com", "Bot")
    assert trapped.status_code == honest.status_code == 200
    assert trapped.text.replace("bot@", "X@") == honest.text.replace("bot2@", "X@")
    site.wait(1)
    assert site.status("bot@example.com") == "absent"
    assert list(site.outbox()) == ["bot2@example.com"]


def test_multipart_form_and_unreadable_bodies(site: Site) -> None:
    multipart = httpx.post(
        f"{site.url}/subscribe",
        data={"email": "multi@example.com", "name": "이영희"},
        files={"unused": ("a.txt", b"file content")},
    )
    assert multipart.status_code == 200 and "Check your inbox" in multipart.text
    site.wait(1)
    assert site.subscriber("multi@example.com").name == "이영희"  # type: ignore[union-attr]

    latin1 = httpx.post(
        f"{site.url}/subscribe",
        content="email=x%40example.com&name=Jos%E9".encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert latin1.status_code == 400 and f"{site.url}/subscribe" in latin1.text
    json_body = httpx.post(f"{site.url}/subscribe", json={"email": "x@example.com"})
    assert json_body.status_code == 400
    huge = httpx.post(f"{site.url}/subscribe", data={"email": "a@example.com", "x": "y" * 20_000})
    assert huge.status_code == 413
    assert site.pages.finished == 1


def test_the_answer_is_sent_before_the_address_is_looked_at(site: Site) -> None:
    """No timing oracle: the lookup, the pending row and the mail run after the response."""
    release = threading.Event()
    entered = threading.Event()
    prepare = site.service.prepare

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        entered.set()
        assert release.wait(10)
        return prepare(*args, **kwargs)

    site.service.prepare = held  # type: ignore[method-assign]
    try:
        answer = site.post("slow@example.com")
        assert answer.status_code == 200 and "Check your inbox" in answer.text
        assert entered.wait(5), "the background work never started"
        assert site.status("slow@example.com") == "absent"  # answered before any lookup
    finally:
        release.set()
    site.wait(1)
    assert site.status("slow@example.com") == "pending"
    assert "slow@example.com" in site.outbox()


def test_no_membership_oracle(site: Site) -> None:
    """New, pending, active, unsubscribed, bounced, complained and forgotten addresses
    get byte-identical answers (the typed address aside) with the same status."""
    store = site.store
    site.post("pending@example.com")
    site.wait(1)
    store.add("active@example.com", source="cli")
    for address, status in [
        ("left@example.com", "unsubscribed"),
        ("bounced@example.com", "bounced"),
        ("complained@example.com", "complained"),
    ]:
        subscriber, _ = store.add(address, source="cli")
        store.set_status(subscriber.id, status, source="cli")
    store.add("gone@example.com", source="cli")
    store.forget("gone@example.com")
    site.clock.advance(minutes=11)  # the pending address may get a new link

    states = ["new", "pending", "active", "left", "bounced", "complained", "gone"]
    answers = {state: site.post(f"{state}@example.com", "Same Name") for state in states}
    bodies = {s: a.text.replace(f"{s}@example.com", "ADDRESS") for s, a in answers.items()}
    assert {a.status_code for a in answers.values()} == {200}
    assert len(set(bodies.values())) == 1
    headers = {
        state: sorted((k, v) for k, v in a.headers.items() if k not in ("date", "content-length"))
        for state, a in answers.items()
    }
    assert len({tuple(h) for h in headers.values()}) == 1
    site.wait(1 + len(states))

    # what happened behind the identical answers
    mailed = set(site.outbox())
    expected = {f"{s}@example.com" for s in states if s != "active"}
    assert mailed == expected
    assert site.status("new@example.com") == "pending"
    assert site.status("active@example.com") == "active"
    assert site.status("left@example.com") == "unsubscribed"  # unchanged until confirmed
    assert site.status("bounced@example.com") == "bounced"
    assert site.status("gone@example.com") == "absent"  # a forgotten address is not stored
    assert store.is_forgotten("gone@example.com")


def test_list_name_is_escaped_on_the_pages(
    tmp_path: Path,
    listener: socket.socket,
    serve,  # type: ignore[no-untyped-def]
) -> None:
    settings = write_config(tmp_path, url_of(listener), name="Kim's <Weekly> & Co")
    for site in start_site(tmp_path, listener, serve, settings=settings):
        page = httpx.get(f"{site.url}/subscribe").text
        assert "Kim&#39;s &lt;Weekly&gt; &amp; Co" in page and "<Weekly>" not in page
