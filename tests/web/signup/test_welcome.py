"""The welcome mail: once, after the confirmation that activates, through the real confirm path,
in the list's language, linking the latest public edition (which resolves on the same server)."""

from __future__ import annotations

import email
import re
import socket
from email import policy
from pathlib import Path

import httpx

from newsletter.runtime import Runtime
from newsletter.site.archive import Archive
from newsletter.site.pages import SitePages
from newsletter.web.server import url_of
from tests.fixtures.ses import MotoServer
from tests.web.conftest import DAY, write_config
from tests.web.signup.conftest import Site, confirm_link, ses_settings, start_site
from tests.web.test_site import make_edition


def confirmed(site: Site, address: str) -> httpx.Response:
    before = site.pages.finished
    assert site.post(address).status_code == 200
    site.wait(before + 1)
    return httpx.post(site.link(address))


def latest_of(settings):  # type: ignore[no-untyped-def]
    runtime = Runtime(settings)
    return SitePages(
        runtime.render_options, Archive(runtime.engine, runtime.paths.editions_dir)
    ).latest


def test_welcome_links_the_latest_edition_and_is_sent_once(
    tmp_path: Path, listener: socket.socket, serve
) -> None:
    settings = write_config(tmp_path, url_of(listener))
    make_edition(settings, DAY, sending=True)
    for site in start_site(
        tmp_path, listener, serve, settings=settings, latest_edition=latest_of(settings)
    ):
        assert confirmed(site, "kim@example.com").status_code == 200
        site.wait_welcomed(1)
        welcome = site.welcomes()["kim@example.com"]
        assert welcome["Subject"] == "Welcome to Daily AI & Tech News"
        assert welcome["Auto-Submitted"] == "auto-generated"
        text = welcome.get_body(("plain",)).get_content()
        html = welcome.get_body(("html",)).get_content()
        edition_url = f"{site.url}/archive/{DAY}/"
        assert "Your subscription to Daily AI & Tech News is confirmed." in text
        assert edition_url in text and f'href="{edition_url}"' in html
        assert httpx.get(edition_url).status_code == 200  # the link resolves on this server
        unsubscribe = re.search(r"Unsubscribe: (\S+)", text).group(1)
        assert f'href="{unsubscribe}"' in html
        # the confirmation mail is still there beside it
        assert "confirm" in site.outbox()["kim@example.com"]["Subject"].lower()

        # a second press of the same button: the page again, no second welcome
        assert httpx.post(site.link("kim@example.com")).status_code == 200
        assert confirmed(site, "lee@example.com").status_code == 200
        site.wait_welcomed(2)
        assert site.pages.welcomed == 2
        assert sorted(site.welcomes()) == ["kim@example.com", "lee@example.com"]

        # the welcome's unsubscribe link works like an edition's
        assert httpx.post(unsubscribe).status_code == 200
        assert site.status("kim@example.com") == "unsubscribed"


def test_a_korean_list_welcomes_in_korean_before_its_first_edition(
    tmp_path: Path, listener: socket.socket, serve
) -> None:
    settings = write_config(tmp_path, url_of(listener), language="ko", name="데일리 테크 브리핑")
    for site in start_site(
        tmp_path, listener, serve, settings=settings, latest_edition=latest_of(settings)
    ):
        confirmed(site, "kim@example.com")
        site.wait_welcomed(1)
        welcome = site.welcomes()["kim@example.com"]
        assert welcome["Subject"] == "데일리 테크 브리핑 구독을 환영합니다"
        text = welcome.get_body(("plain",)).get_content()
        assert "구독이 확인되었습니다" in text and "첫 호는 다음 발송 시간에 도착합니다" in text
        assert "/archive/20" not in text  # no edition to link yet
        assert "Welcome" not in text and "Unsubscribe" not in text


def test_welcome_through_ses(
    tmp_path: Path,
    listener: socket.socket,
    serve,  # type: ignore[no-untyped-def]
    ses: MotoServer,
) -> None:
    settings = ses_settings(tmp_path, url_of(listener), ses.url)
    for site in start_site(
        tmp_path, listener, serve, settings=settings, latest_edition=latest_of(settings)
    ):
        assert site.post("kim@example.org").status_code == 200
        site.wait(1)
        [raw] = ses.sent_raw_messages()
        link = confirm_link(email.message_from_bytes(raw, policy=policy.default))
        assert httpx.post(link).status_code == 200
        site.wait_welcomed(1)
        _confirmation, welcome = (
            email.message_from_bytes(r, policy=policy.default) for r in ses.sent_raw_messages()
        )
        assert welcome["Subject"] == "Welcome to Daily AI & Tech News"
        assert welcome["To"].addresses[0].addr_spec == "kim@example.org"
