"""Unsubscribe through the link of a message that was really sent (outbox), over real HTTP."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email import policy
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsletter.audience.store import SubscriberStore
from newsletter.audience.tokens import unsubscribe_token
from newsletter.config import Settings
from newsletter.runtime import Paths, Runtime
from newsletter.web.server import url_of
from tests.web.conftest import DAY, SECRET, ListLookups, LogLines, place_briefing, write_config

PEOPLE = ["alice@example.com", "bob@example.org", "carol@example.net", "dave@example.com"]


@dataclass
class Sent(ListLookups):
    url: str
    settings: Settings
    store: SubscriberStore
    links: dict[str, str]  # address → the URL in its List-Unsubscribe header
    log: LogLines


def send_edition(settings: Settings, language: str) -> dict[str, str]:
    """Render and send today's edition through the outbox; the links from the headers."""
    from newsletter.pipeline import render_stage, send_stage

    place_briefing(settings, language)
    render_stage(Runtime(settings), date.fromisoformat(DAY))
    summary = send_stage(Runtime(settings), date.fromisoformat(DAY))
    assert summary.sent == len(PEOPLE)
    links = {}
    for path in sorted(Paths.of(settings).outbox_dir(DAY).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        header = message["List-Unsubscribe"]
        found = re.match(r"<(https?://[^>]+)>", header)
        assert found, header
        links[message["To"].addresses[0].addr_spec] = found.group(1)
    return links


def start(tmp_path: Path, listener: socket.socket, serve, language: str = "en") -> Iterator[Sent]:
    from newsletter.web.app import create_app

    settings = write_config(tmp_path, url_of(listener), language=language)
    store = Runtime(settings).subscribers
    for address in PEOPLE:
        store.add(address, source="cli")
    links = send_edition(settings, language)
    log = LogLines()
    app = create_app(Runtime(settings), access_log=log)
    with serve(app, listener) as url:
        yield Sent(url, settings, store, links, log)


@pytest.fixture
def sent(tmp_path: Path, listener: socket.socket, serve) -> Iterator[Sent]:
    yield from start(tmp_path, listener, serve)


@pytest.fixture
def sent_ko(tmp_path: Path, listener: socket.socket, serve) -> Iterator[Sent]:
    yield from start(tmp_path, listener, serve, language="ko")


def test_links_point_at_this_server(sent: Sent) -> None:
    assert set(sent.links) == set(PEOPLE)
    assert all(link.startswith(f"{sent.url}/u/") for link in sent.links.values())


def test_get_shows_a_page_then_post_unsubscribes(sent: Sent) -> None:
    link = sent.links["alice@example.com"]
    page = httpx.get(link)
    assert page.status_code == 200
    assert "Daily AI &amp; Tech News" in page.text  # names the list
    assert "Stop sending Daily AI &amp; Tech News to this address?" in page.text
    assert "alice" not in page.text and "a***" not in page.text  # nothing about the person
    assert '<form method="post">' in page.text and "Unsubscribe</button>" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    # showing the page changed nothing, however often it is opened (link scanners)
    for _ in range(3):
        assert httpx.get(link).status_code == 200
    assert httpx.head(link).status_code == 200
    assert sent.status("alice@example.com") == "active"

    done = httpx.post(link, data={})  # the button: an empty form
    assert done.status_code == 200
    assert "You are unsubscribed" in done.text
    # pressed by mistake: the way back is the signup form (double opt-in, as for anyone)
    back = re.search(r'Unsubscribed by mistake\? <a href="([^"]+)">Subscribe again</a>', done.text)
    assert back is not None, done.text
    form = httpx.get(back.group(1))
    assert form.status_code == 200 and 'name="email"' in form.text
    assert sent.status("alice@example.com") == "unsubscribed"
    assert sent.events("alice@example.com")[-1] == ("unsubscribed", "unsubscribe-link")

    again = httpx.post(link, data={})
    assert again.status_code == 200 and again.text == done.text
    assert sent.events("alice@example.com").count(("unsubscribed", "unsubscribe-link")) == 1
    # nobody else was touched
    assert {sent.status(a) for a in PEOPLE if a != "alice@example.com"} == {"active"}


def test_one_click_post_rfc8058(sent: Sent) -> None:
    link = sent.links["bob@example.org"]
    body = "List-Unsubscribe=One-Click"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = httpx.post(link, content=body, headers=headers)
    assert answer.status_code == 200
    assert sent.status("bob@example.org") == "unsubscribed"
    assert sent.events("bob@example.org") == [("active", "cli"), ("unsubscribed", "one-click")]
    # a mail client retrying the POST is harmless
    assert httpx.post(link, content=body, headers=headers).status_code == 200
    assert len(sent.events("bob@example.org")) == 2


def test_one_click_as_multipart(sent: Sent) -> None:
    answer = httpx.post(
        sent.links["carol@example.net"], files={"List-Unsubscribe": (None, "One-Click")}
    )
    assert answer.status_code == 200
    assert sent.events("carol@example.net")[-1] == ("unsubscribed", "one-click")


def tampered_tokens(link: str, settings: Settings) -> dict[str, str]:
    token = link.rsplit("/", 1)[1]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    payload, signature = token.rsplit(".", 1)
    other_payload = unsubscribe_token(SECRET, 2, settings.list_id).rsplit(".", 1)[0]
    alice = 1
    return {
        "altered signature": flipped,
        "truncated": token[: len(token) // 2],
        "signature cut off": payload,
        "other subscriber, same signature": f"{other_payload}.{signature}",
        "other list": unsubscribe_token(SECRET, alice, "other-list.example.com"),
        "retired key": unsubscribe_token("an-older-key-0123456789abcdef", alice, settings.list_id),
        "garbage": "not-a-token",
        "dot": "-.-",
    }


def test_forged_tokens_answer_400_and_change_nothing(sent: Sent) -> None:
    link = sent.links["alice@example.com"]
    before = {a: sent.events(a) for a in PEOPLE}
    bodies = set()
    for reason, token in tampered_tokens(link, sent.settings).items():
        target = f"{sent.url}/u/{token}"
        for answer in (
            httpx.get(target),
            httpx.post(target, data={}),
            httpx.post(target, content="List-Unsubscribe=One-Click"),
        ):
            assert answer.status_code == 400, (reason, answer.status_code)
            bodies.add(answer.text)
    assert len(bodies) == 1, "every bad token gets the same neutral page"
    (body,) = bodies
    assert "This link does not work" in body
    assert not any(address.split("@")[0] in body for address in PEOPLE)
    assert {a: sent.events(a) for a in PEOPLE} == before


def test_answers_do_not_reveal_membership(sent: Sent) -> None:
    """A valid token of a forgotten person gets the answer any valid token gets."""
    carol = sent.links["carol@example.net"]
    dave = sent.links["dave@example.com"]
    assert sent.store.forget("carol@example.net")
    gone = httpx.post(carol, data={})
    present = httpx.post(dave, data={})
    assert (gone.status_code, gone.text) == (present.status_code, present.text)
    assert sent.status("dave@example.com") == "unsubscribed"
    assert sent.store.get("carol@example.net") is None  # not resurrected


def test_the_page_does_not_reveal_membership_either(sent: Sent) -> None:
    """GET (what a link scanner or a curious holder of an old link sees) answers a forgotten
    person's valid token exactly as it answers a subscriber's: same status, headers, bytes."""
    carol = sent.links["carol@example.net"]
    dave = sent.links["dave@example.com"]
    assert sent.store.forget("carol@example.net")
    gone, present = httpx.get(carol), httpx.get(dave)
    assert gone.status_code == present.status_code == 200
    assert gone.content == present.content
    assert dict(gone.headers) | {"date": ""} == dict(present.headers) | {"date": ""}
    heads = [dict(httpx.head(link).headers) | {"date": ""} for link in (carol, dave)]
    assert heads[0] == heads[1]
    assert "this address" in gone.text


def test_bounced_subscriber_keeps_the_stronger_status(sent: Sent) -> None:
    subscriber = sent.store.get("dave@example.com")
    assert subscriber is not None
    sent.store.set_status(subscriber.id, "bounced", source="bounce")
    answer = httpx.post(sent.links["dave@example.com"], data={})
    assert answer.status_code == 200
    assert sent.status("dave@example.com") == "bounced"


def test_korean_page(sent_ko: Sent) -> None:
    link = sent_ko.links["alice@example.com"]
    page = httpx.get(link)
    assert page.status_code == 200
    assert '<html lang="ko">' in page.text
    assert "수신 거부하기" in page.text and "이 주소로" in page.text
    done = httpx.post(link, data={})
    assert "수신 거부되었습니다" in done.text
    bad = httpx.get(f"{sent_ko.url}/u/nonsense")
    assert bad.status_code == 400 and "사용할 수 없는 링크" in bad.text


def test_oversized_body_is_refused(sent: Sent) -> None:
    link = sent.links["alice@example.com"]
    answer = httpx.post(link, content="x" * 10_000)
    assert answer.status_code == 413
    assert sent.status("alice@example.com") == "active"


def test_no_state_changing_get_anywhere(sent: Sent) -> None:
    from newsletter.web.app import create_app

    app = create_app(Runtime(sent.settings)).app  # the Starlette app inside the access log
    changing = {
        route.path
        for route in app.routes
        if {"POST", "PUT", "DELETE", "PATCH"} & set(route.methods or ())
    }
    readable = {route.path for route in app.routes if "GET" in (route.methods or ())}
    assert changing == {"/u/{token}", "/feedback/ses", "/subscribe", "/confirm/{token}"}
    # GET /subscribe is the form; GET /confirm/{token} only shows a button (tests/web/signup);
    # the public site's pages only read (tests/web/test_site.py)
    site = {"/", "/archive/", "/archive/page/{number:int}/", "/archive/{day}/", "/feed.xml"}
    assert readable == {"/u/{token}", "/healthz", "/subscribe", "/confirm/{token}", *site}
    assert httpx.get(f"{sent.url}/feedback/ses").status_code == 405


def test_healthz_and_access_log(sent: Sent) -> None:
    health = httpx.get(f"{sent.url}/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok"}
    link = sent.links["alice@example.com"]
    httpx.get(link, headers={"User-Agent": "pytest-agent"})
    httpx.post(link, data={})
    records = sent.log.records(at_least=3)
    assert [(r["method"], r["path"], r["status"]) for r in records] == [
        ("GET", "/healthz", 200),
        ("GET", "/u/…", 200),
        ("POST", "/u/…", 200),
    ]
    assert records[1]["agent"] == "pytest-agent"
    assert all(r["client"] == "127.0.0.1" and r["ms"] >= 0 and r["bytes"] > 0 for r in records)
    token = link.rsplit("/", 1)[1]
    assert not any(token in line for line in sent.log), "tokens never reach the log"


def test_button_in_a_real_browser(browser: Any, sent_ko: Sent, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 700})
    page.goto(sent_ko.links["alice@example.com"])
    assert page.locator("h1").inner_text() == "Daily AI & Tech News 수신 거부"
    page.screenshot(path=str(tmp_path / "unsubscribe-confirm.png"))
    assert sent_ko.status("alice@example.com") == "active"
    with page.expect_navigation():
        page.locator("button").click()
    assert page.locator("h1").inner_text() == "수신 거부되었습니다"
    page.screenshot(path=str(tmp_path / "unsubscribe-done.png"))
    assert sent_ko.status("alice@example.com") == "unsubscribed"
    assert sent_ko.events("alice@example.com")[-1] == ("unsubscribed", "unsubscribe-link")
    page.close()


def test_concurrent_clicks_are_recorded_exactly_once(sent: Sent) -> None:
    """Many simultaneous one-click POSTs, some for the same person, share transactions."""
    from concurrent.futures import ThreadPoolExecutor

    ids = []
    for index in range(60):
        subscriber, _ = sent.store.add(f"crowd{index}@example.com")
        ids.append(subscriber.id)
    bounced = ids[-1]
    sent.store.set_status(bounced, "bounced", source="bounce")
    paths = [f"/u/{unsubscribe_token(SECRET, i, sent.settings.list_id)}" for i in ids] * 3

    def click(path: str) -> int:
        return httpx.post(f"{sent.url}{path}", content="List-Unsubscribe=One-Click").status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        assert set(pool.map(click, paths)) == {200}
    for subscriber_id in ids[:-1]:
        events = [(e.status, e.source) for e in sent.store.events(subscriber_id)]
        assert events == [("active", "cli"), ("unsubscribed", "one-click")], subscriber_id
    assert sent.store.get_by_id(bounced).status == "bounced"
    assert {sent.status(a) for a in PEOPLE} == {"active"}
