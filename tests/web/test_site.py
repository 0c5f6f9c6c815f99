"""The public site from `serve`: landing, archive, edition pages, Atom feed, 404, caching.

Real uvicorn on 127.0.0.1, real HTTP, a real SQLite `editions` table: an edition is
public once its send started, and only then.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import feedparser
import httpx
import lxml.html
import pytest

from newsletter.config import Settings
from newsletter.editions import EditionLog
from newsletter.pipeline import render_stage
from newsletter.runtime import Paths, Runtime
from newsletter.web.app import create_app
from tests.web.conftest import DAY, place_briefing, write_config

UNSENT = "2026-02-08"


def make_edition(settings: Settings, day: str, *, sending: bool, language: str = "en") -> None:
    """Draft (the test briefing, re-dated), render, and — if `sending` — start its send."""
    path = place_briefing(settings, language)
    if day != DAY:
        target = Paths.of(settings).edition_dir(day) / "briefing.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(path.read_text(encoding="utf-8"))
        data["date"] = day
        data["title"] = f"{day} {settings.newsletter.name}"
        target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    render_stage(Runtime(settings), date.fromisoformat(day))
    log = EditionLog(Runtime(settings).engine)
    log.advance(day, "rendered")
    if sending:
        log.advance(day, "sending")


@pytest.fixture
def site(tmp_path: Path, listener, serve):
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = write_config(tmp_path, base)
    make_edition(settings, DAY, sending=True)
    make_edition(settings, UNSENT, sending=False)  # rendered, held: never public
    with serve(create_app(Runtime(settings)), listener) as url:
        yield settings, url


def get(url: str, path: str, **headers: str) -> httpx.Response:
    return httpx.get(url + path, headers=headers, timeout=10)


def links(html: str) -> list[str]:
    return [a.get("href") for a in lxml.html.fromstring(html).iter("a")]


def test_landing_page_has_the_form_and_the_latest_edition(site) -> None:
    _, url = site
    response = get(url, "/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = lxml.html.fromstring(response.text)
    assert page.findtext(".//h1") == "Daily AI & Tech News"
    form = page.find(".//form")
    assert (form.get("method"), form.get("action")) == ("post", f"{url}/subscribe")
    assert {i.get("name") for i in form.iter("input")} == {"email", "name", "website"}
    assert f"{url}/archive/{DAY}/" in links(response.text)
    assert f"{url}/archive/{UNSENT}/" not in links(response.text)
    feed = page.find(".//link[@type='application/atom+xml']")
    assert feed.get("href") == f"{url}/feed.xml"


def test_archive_lists_sent_editions_only(site) -> None:
    _, url = site
    response = get(url, "/archive/")
    assert response.status_code == 200
    assert [h for h in links(response.text) if "/archive/20" in h] == [f"{url}/archive/{DAY}/"]
    assert "Sixteen Claude agents" in response.text


def test_edition_page_is_the_web_copy_without_personal_links(site) -> None:
    settings, url = site
    response = get(url, f"/archive/{DAY}/")
    assert response.status_code == 200
    html = response.text
    assert html == (Paths.of(settings).edition_dir(DAY) / "web.html").read_text(encoding="utf-8")
    assert "%%" not in html and "/u/" not in html  # no unsubscribe token, no placeholder
    assert "View in browser" not in html
    page = lxml.html.fromstring(html)
    email = lxml.html.fromstring((Paths.of(settings).edition_dir(DAY) / "email.html").read_bytes())
    assert [h.text_content() for h in page.iter("h2")] == [
        h.text_content() for h in email.iter("h2")
    ]
    assert f"{url}/subscribe" in links(html)


def test_unsent_and_unknown_pages_are_a_proper_404(site) -> None:
    _, url = site
    for path in (f"/archive/{UNSENT}/", "/archive/not-a-date/", "/nowhere", "/archive/page/2/"):
        response = get(url, path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "<h1>Page not found</h1>" in response.text
        assert f"{url}/archive/" in links(response.text)


def test_the_feed_is_atom_that_feedparser_reads_with_the_edition(site) -> None:
    _, url = site
    response = get(url, "/feed.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Daily AI & Tech News"
    assert [e.link for e in parsed.entries] == [f"{url}/archive/{DAY}/"]
    entry = parsed.entries[0]
    assert entry.id == f"{url}/archive/{DAY}/"
    content = entry.content[0]
    assert content.type == "text/html"
    assert "Sixteen Claude agents" in content.value and "<h2" in content.value  # full content
    assert "%%" not in content.value


def test_validators_answer_304_and_change_with_the_page(site) -> None:
    settings, url = site
    first = get(url, f"/archive/{DAY}/")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"].startswith("public")
    assert "default-src 'none'" in first.headers["content-security-policy"]  # no script runs
    again = get(url, f"/archive/{DAY}/", **{"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == etag
    since = get(url, f"/archive/{DAY}/", **{"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = get(url, f"/archive/{DAY}/", **{"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    # the next edition goes out: the archive page changes, and so does its ETag
    before = get(url, "/archive/").headers["etag"]
    EditionLog(Runtime(settings).engine).advance(UNSENT, "sending")
    after = get(url, "/archive/", **{"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before
    assert f"{url}/archive/{UNSENT}/" in links(after.text)


def test_the_email_view_in_browser_link_resolves(site) -> None:
    settings, url = site
    email = (Paths.of(settings).edition_dir(DAY) / "email.html").read_text(encoding="utf-8")
    page = lxml.html.fromstring(email)
    view = next(
        a.get("href") for a in page.iter("a") if a.text_content().strip() == "View in browser"
    )
    assert view == f"{url}/archive/{DAY}/"
    assert httpx.get(view, timeout=10).status_code == 200
    subscribe = next(h for h in links(email) if h.endswith("/subscribe"))
    assert httpx.get(subscribe, timeout=10).status_code == 200


def test_archive_pages_hold_twenty_editions_newest_first(tmp_path: Path, listener, serve) -> None:
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = write_config(tmp_path, base)
    first = date(2026, 1, 1)
    days = [(first + timedelta(days=n)).isoformat() for n in range(23)]
    for day in days:
        make_edition(settings, day, sending=True)
    with serve(create_app(Runtime(settings)), listener) as url:
        one = get(url, "/archive/")
        two = get(url, "/archive/page/2/")
        redirect = httpx.get(url + "/archive/page/1/", timeout=10, follow_redirects=False)
    listed = [
        re.search(r"/archive/([\d-]+)/", h).group(1) for h in links(one.text) if "/archive/20" in h
    ]
    assert listed == sorted(days, reverse=True)[:20]
    assert f"{url}/archive/page/2/" in links(one.text)
    older = [h for h in links(two.text) if "/archive/20" in h]
    assert older == [f"{url}/archive/{d}/" for d in sorted(days, reverse=True)[20:]]
    assert f"{url}/archive/" in links(two.text)
    assert redirect.status_code == 308 and redirect.headers["location"] == f"{url}/archive/"
