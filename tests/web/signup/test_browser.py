"""The whole signup in real headless Chromium: the form, the link from the message, the
button; and the README's embeddable form posted from a page on another site."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.web.signup.conftest import ROOT_README, Site


def test_signup_in_chromium(browser: Any, site: Site) -> None:
    page = browser.new_page()
    page.goto(f"{site.url}/subscribe")
    assert page.title() == "Subscribe to Daily AI & Tech News"
    trap = page.locator("#website").bounding_box()
    assert trap is not None and trap["x"] < 0  # out of sight for people
    page.fill("#email", "kim@example.com")
    page.fill("#name", "Kim Minji")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Check your inbox")
    site.wait(1)

    link = site.link("kim@example.com")  # from the message in the outbox
    page.goto(link)
    assert "k***@example.com" in page.inner_text("main")
    assert site.status("kim@example.com") == "pending"
    page.click("text=Confirm subscription")
    page.wait_for_selector("text=You are subscribed")
    assert site.status("kim@example.com") == "active"
    subscriber = site.subscriber("kim@example.com")
    assert subscriber is not None and subscriber.name == "Kim Minji"
    consent = json.loads(site.store.events(subscriber.id)[-1].detail)
    assert consent["ip"] == "127.0.0.1" and "HeadlessChrome" in consent["user_agent"]
    page.close()


def readme_form(action: str) -> str:
    """The embeddable form exactly as the README documents it, pointed at `action`."""
    text = ROOT_README.read_text(encoding="utf-8")
    section = text[text.index("## Signup: double opt-in") :]
    snippet = re.search(r"```html\n(.*?)```", section, re.DOTALL)
    assert snippet, "the README lost its signup snippet"
    return snippet.group(1).replace("https://news.example.com/subscribe", action)


@contextmanager
def other_site(html: str) -> Iterator[str]:
    """A page on another origin (http://localhost:PORT, not the app's 127.0.0.1)."""
    body = f'<!doctype html><html><meta charset="utf-8"><body>{html}</body></html>'.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_readme_form_posted_from_another_site(browser: Any, site: Site) -> None:
    with other_site(readme_form(f"{site.url}/subscribe")) as url:
        page = browser.new_page()
        page.goto(url)
        page.fill("input[name=email]", "lee@example.com")
        page.fill("input[name=name]", "이영희")
        page.click("button[type=submit]")
        page.wait_for_selector("text=Check your inbox")
        assert page.url == f"{site.url}/subscribe"
        page.close()
    site.wait(1)
    subscriber = site.subscriber("lee@example.com")
    assert subscriber is not None and (subscriber.status, subscriber.name) == ("pending", "이영희")
    assert "lee@example.com" in site.outbox()


def test_a_refused_address_is_announced_on_the_field_that_has_it(browser: Any, site: Site) -> None:
    """A screen reader lands on the address again, hears it is invalid and why; the
    browser's own type=email check lets `kim@example` through, the server does not."""
    page = browser.new_page()
    page.goto(f"{site.url}/subscribe")
    page.fill("#email", "kim@example")
    page.fill("#name", "Kim Minji")
    page.click("button[type=submit]")
    page.wait_for_selector(".error")
    field = page.evaluate(
        """() => {
            const input = document.activeElement;
            const described = (input.getAttribute('aria-describedby') || '').split(' ')
                .map(id => document.getElementById(id)).filter(Boolean);
            return {id: input.id, value: input.value, invalid: input.getAttribute('aria-invalid'),
                    description: described.map(e => e.innerText).join(' ')};
        }"""
    )
    assert field["id"] == "email" and field["value"] == "kim@example"
    assert field["invalid"] == "true"
    assert field["description"].startswith("This does not look like an email address")
    assert page.input_value("#name") == "Kim Minji"
    page.close()
