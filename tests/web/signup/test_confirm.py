"""`/confirm/{token}` over real HTTP: the button, the activation with its proof of consent,
and every way a link can be wrong — altered, expired, stale, for another list."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import httpx

from newsletter.audience.tokens import confirmation_token, stamp_of, unsubscribe_token
from tests.web.conftest import SECRET
from tests.web.signup.conftest import START, Site


def signed_up(site: Site, address: str, name: str = "") -> str:
    """Sign `address` up through the form; the link from its confirmation mail."""
    before = site.pages.finished
    assert site.post(address, name).status_code == 200
    site.wait(before + 1)
    return site.link(address)


def test_get_shows_a_button_and_changes_nothing(site: Site) -> None:
    link = signed_up(site, "kim@example.com")
    page = httpx.get(link)
    assert page.status_code == 200
    assert "Confirm subscription" in page.text and "k***@example.com" in page.text
    assert "kim@example.com" not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert site.status("kim@example.com") == "pending"


def test_post_activates_and_records_the_consent(site: Site) -> None:
    link = signed_up(site, "kim@example.com", "Kim")
    done = httpx.post(link, headers={"User-Agent": "Consenting Browser/2.0"})
    assert done.status_code == 200
    assert "You are subscribed" in done.text and "07:00" in done.text
    subscriber = site.subscriber("kim@example.com")
    assert subscriber is not None and subscriber.status == "active"
    assert [s.email for s in site.store.iter_active()] == ["kim@example.com"]
    pending, active = site.store.events(subscriber.id)
    assert (pending.status, active.status, active.source) == ("pending", "active", "signup")
    consent = json.loads(active.detail)
    assert consent["ip"] == "127.0.0.1"
    assert consent["user_agent"] == "Consenting Browser/2.0"
    assert consent["requested"] == START.isoformat(timespec="seconds")
    assert consent["confirmed"] == START.isoformat(timespec="seconds")
    assert consent["via"] == "web"

    again = httpx.post(link)  # a second press: the same page, nothing recorded twice
    assert again.status_code == 200 and "You are subscribed" in again.text
    assert len(site.store.events(subscriber.id)) == 2


def test_every_link_of_a_pending_signup_works(site: Site) -> None:
    first = signed_up(site, "kim@example.com")
    site.clock.advance(minutes=11)
    second = signed_up(site, "kim@example.com")
    assert first != second
    assert httpx.post(first).status_code == 200
    assert site.status("kim@example.com") == "active"
    assert httpx.post(second).status_code == 200  # already active: same answer


def test_altered_tokens_change_nothing(site: Site) -> None:
    link = signed_up(site, "kim@example.com")
    base, token = link.rsplit("/", 1)
    payload, stamp, signature = token.rsplit(".", 2)
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]

    def now() -> float:
        return site.clock.now.timestamp()

    other_list = confirmation_token(SECRET, "other.list", "kim@example.com", stamp=0, clock=now)
    other_key = confirmation_token("another-secret-012345", "daily.example.com", "x@y.z", stamp=0)
    unsubscribe = unsubscribe_token(SECRET, 1, "daily.example.com")
    forged_payload = (
        base64.urlsafe_b64encode(
            json.dumps(["daily.example.com", "evil@example.com", "", 0]).encode()
        )
        .decode()
        .rstrip("=")
    )
    bad = [
        f"{payload}.{stamp}.{flipped}",
        token[:-5],
        f"{forged_payload}.{stamp}.{signature}",
        other_list,
        other_key,
        unsubscribe,
        "nonsense",
    ]
    for candidate in bad:
        for method in (httpx.get, httpx.post):
            answer = method(f"{base}/{candidate}")
            assert answer.status_code == 400, candidate
            assert "This link does not work" in answer.text
            assert f"{site.url}/subscribe" in answer.text  # how to start again
    assert site.status("kim@example.com") == "pending"
    assert site.status("evil@example.com") == "absent"


def test_expired_link_changes_nothing_and_says_how_to_start_again(site: Site) -> None:
    link = signed_up(site, "kim@example.com")
    site.clock.advance(days=7, seconds=1)
    for method in (httpx.get, httpx.post):
        answer = method(link)
        assert answer.status_code == 410
        assert "This link has expired" in answer.text and "7 days" in answer.text
        assert f'<a href="{site.url}/subscribe">' in answer.text
    assert site.status("kim@example.com") == "pending"

    # a link signed eight days ago (injected signing time) is just as dead
    subscriber = site.subscriber("kim@example.com")
    assert subscriber is not None
    old = confirmation_token(
        SECRET,
        "daily.example.com",
        "kim@example.com",
        stamp=stamp_of(subscriber.updated),
        clock=lambda: (site.clock.now - timedelta(days=8)).timestamp(),
    )
    assert httpx.post(f"{site.url}/confirm/{old}").status_code == 410
    fresh = signed_up(site, "kim@example.com")  # starting again works
    assert httpx.post(fresh).status_code == 200
    assert site.status("kim@example.com") == "active"


def test_rejoining_after_unsubscribe_needs_a_fresh_confirmation(site: Site) -> None:
    old_link = signed_up(site, "kim@example.com")
    assert httpx.post(old_link).status_code == 200
    subscriber = site.subscriber("kim@example.com")
    assert subscriber is not None
    leave = unsubscribe_token(SECRET, subscriber.id, "daily.example.com")
    assert httpx.post(f"{site.url}/u/{leave}").status_code == 200
    assert site.status("kim@example.com") == "unsubscribed"

    stale = httpx.post(old_link)  # the link that subscribed them once does not again
    assert stale.status_code == 409 and "no longer valid" in stale.text
    assert site.status("kim@example.com") == "unsubscribed"

    site.clock.advance(minutes=11)
    new_link = signed_up(site, "kim@example.com")
    assert site.status("kim@example.com") == "unsubscribed"  # asking alone changes nothing
    assert httpx.post(new_link).status_code == 200
    assert site.status("kim@example.com") == "active"
    history = [(e.status, e.source) for e in site.store.events(subscriber.id)]
    assert history == [
        ("pending", "signup"),
        ("active", "signup"),
        ("unsubscribed", "unsubscribe-link"),
        ("active", "signup"),
    ]


def test_bounced_address_rejoins_only_by_confirming(site: Site) -> None:
    subscriber, _ = site.store.add("b@example.com", source="cli")
    site.store.set_status(subscriber.id, "bounced", source="bounce")
    link = signed_up(site, "b@example.com")
    assert site.status("b@example.com") == "bounced"
    site.store.set_status(subscriber.id, "complained", source="complaint")  # after the mail
    assert httpx.post(link).status_code == 409
    assert site.status("b@example.com") == "complained"


def test_forgotten_person_comes_back_only_by_confirming(site: Site) -> None:
    site.store.add("gone@example.com", "Old Name", source="cli")
    site.store.forget("gone@example.com")
    link = signed_up(site, "gone@example.com", "New Name")
    assert site.status("gone@example.com") == "absent" and site.store.is_forgotten(
        "gone@example.com"
    )
    assert httpx.get(link).status_code == 200
    assert site.status("gone@example.com") == "absent"
    assert httpx.post(link).status_code == 200
    subscriber = site.subscriber("gone@example.com")
    assert subscriber is not None and (subscriber.status, subscriber.name) == (
        "active",
        "New Name",
    )
    assert not site.store.is_forgotten("gone@example.com")
    [event] = site.store.events(subscriber.id)
    assert (event.status, event.source) == ("active", "signup")
    assert json.loads(event.detail)["ip"] == "127.0.0.1"

    # erased again later: the old link must not bring them back a second time
    site.store.forget("gone@example.com")
    stale = httpx.post(link)
    assert stale.status_code == 409
    assert site.status("gone@example.com") == "absent"
    assert site.store.is_forgotten("gone@example.com")


def test_confirmation_tokens_never_reach_the_access_log(site: Site) -> None:
    link = signed_up(site, "kim@example.com")
    token = link.rsplit("/", 1)[1]
    httpx.get(link)
    httpx.post(link)
    confirms = site.log.records(path="/confirm/…", at_least=2)
    assert [record["method"] for record in confirms] == ["GET", "POST"]
    assert not any(token in line for line in site.log)


def test_purged_signup_link_is_stale(site: Site) -> None:
    link = signed_up(site, "kim@example.com")
    subscriber = site.subscriber("kim@example.com")
    assert subscriber is not None
    assert site.store.purge_pending(subscriber.created + timedelta(seconds=1)) == 1
    answer = httpx.post(link)
    assert answer.status_code == 409 and site.status("kim@example.com") == "absent"


def test_the_link_opened_again_says_where_things_stand_before_asking(site: Site) -> None:
    """Opened from the mail a second time, the link does not ask "Start sending …?" of a
    subscriber already receiving it, nor offer a button that only answers "no longer valid"."""
    link = signed_up(site, "kim@example.com")
    assert httpx.post(link).status_code == 200
    again = httpx.get(link)
    assert again.status_code == 200 and "You are subscribed" in again.text
    assert "<button" not in again.text
    assert site.pages.welcomed <= 1  # opening it sends nothing

    subscriber = site.subscriber("kim@example.com")
    assert subscriber is not None
    leave = unsubscribe_token(SECRET, subscriber.id, "daily.example.com")
    assert httpx.post(f"{site.url}/u/{leave}").status_code == 200
    stale = httpx.get(link)
    assert stale.status_code == 409 and "no longer valid" in stale.text
    assert "<button" not in stale.text
    assert site.status("kim@example.com") == "unsubscribed"
