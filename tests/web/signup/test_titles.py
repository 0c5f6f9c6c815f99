"""Every page a subscriber reaches from a mail names the list in its <title>: the browser
tab, the bookmark and the first thing a screen reader says ("You are subscribed" to what?)."""

from __future__ import annotations

import re

import httpx

from newsletter.audience.tokens import unsubscribe_token
from tests.web.conftest import SECRET
from tests.web.signup.conftest import Site


def _title(response: httpx.Response) -> str:
    found = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert found, response.text[:200]
    return found.group(1).replace("&amp;", "&")


def test_every_signup_and_unsubscribe_page_names_the_list(site: Site) -> None:
    name = site.settings.newsletter.name
    pages = {"form": httpx.get(f"{site.url}/subscribe"), "sent": site.post("kim@example.com")}
    site.wait(1)
    link = site.link("kim@example.com")
    pages["confirm"] = httpx.get(link)
    pages["done"] = httpx.post(link)
    pages["bad confirm link"] = httpx.get(f"{site.url}/confirm/not-a-token")
    subscriber = site.subscriber("kim@example.com")
    assert subscriber is not None
    leave = f"{site.url}/u/{unsubscribe_token(SECRET, subscriber.id, site.settings.list_id)}"
    pages["unsubscribe"] = httpx.get(leave)
    pages["unsubscribed"] = httpx.post(leave)
    pages["bad unsubscribe link"] = httpx.get(f"{site.url}/u/not-a-token")
    titles = {page: _title(response) for page, response in pages.items()}
    assert [page for page, title in titles.items() if name not in title] == [], titles
    # and once: the form's "Subscribe to <list>" is not followed by the name again
    assert [page for page, title in titles.items() if title.count(name) > 1] == [], titles
