"""`/u/{token}`: the unsubscribe link of every message (RFC 2369 and RFC 8058 one-click).

- GET only shows a page with one button. Mail scanners and link previews open
  every URL in a message; a GET that unsubscribed would drop people who never
  clicked. No GET anywhere in the app changes state.
- POST unsubscribes at once: the page's button, or a mail client's one-click
  POST with the body `List-Unsubscribe=One-Click`. It is idempotent (a second
  click changes nothing and answers the same page) and records an event whose
  source says which of the two it was. Concurrent POSTs share a transaction
  (`group_commit`); each is answered after its change is committed.
- A token that is forged, altered, truncated, signed with another key or made
  for another list answers 400 with one neutral page and changes nothing.
  A valid token always gets the same answers whatever the subscriber's status
  (or their absence after `forget`), GET and POST alike, so the responses tell
  nobody whether an address is on the list: the page says "this address" and
  never shows it (a masked address needs a lookup a forgotten person fails).
- A subscriber who already bounced or complained keeps that status: it tells
  the operator more than "unsubscribed" and both stop the mail.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from newsletter.audience.store import SubscriberStore
from newsletter.audience.tokens import TokenError, read_unsubscribe_token
from newsletter.config import Identity
from newsletter.i18n import catalog
from newsletter.render.pages import render_page
from newsletter.web.bodies import BodyTooLarge, read_body
from newsletter.web.group_commit import UnsubscribeBatcher
from newsletter.web.offload import Offload

ONE_CLICK = "one-click"
LINK = "unsubscribe-link"
MAX_BODY = 4096
HEADERS = {
    "Cache-Control": "no-store",
    # the token in the URL must never travel to another site in a Referer header
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


def is_one_click(body: bytes) -> bool:
    """RFC 8058: the POST carries the form field `List-Unsubscribe=One-Click`
    (urlencoded as the RFC shows, or multipart as some mail clients send it)."""
    try:
        fields = parse_qsl(body.decode("ascii"), keep_blank_values=True)
    except UnicodeDecodeError:
        fields = []
    if ("List-Unsubscribe", "One-Click") in fields:
        return True
    return b'name="List-Unsubscribe"' in body and b"One-Click" in body


class UnsubscribePages:
    def __init__(
        self, identity: Identity, store: SubscriberStore, secret: str, offload: Offload
    ) -> None:
        self.store = store
        self.secret = secret
        self.list_id = identity.list_id
        self.list_name = identity.name
        self.language = identity.language
        # the done page offers the way back: a person who pressed by mistake signs up again
        # (double opt-in, as anyone), the page itself still knowing nothing of the address
        self.subscribe_url = f"{identity.public_url}/subscribe"
        self.words = catalog(self.language).table("unsubscribe")
        self.invalid = self._page(
            "invalid", self.words["invalid_title"], self.words["invalid_body"], 400
        )
        self.confirm = self._page(
            "confirm",
            self.words["confirm_title"].format(list=self.list_name),
            self.words["confirm_body"].format(list=self.list_name),
            200,
        )
        self.done = self._page(
            "done",
            self.words["done_title"],
            self.words["done_body"].format(list=self.list_name),
            200,
        )
        self.offload = offload
        self.batcher = UnsubscribeBatcher(store, offload)

    def subscriber_id(self, token: str) -> int | None:
        try:
            return read_unsubscribe_token(self.secret, token, self.list_id)
        except TokenError:
            return None

    async def show(self, request: Request) -> Response:
        """One page for every valid token: the address is not looked up, let alone shown,
        so neither the page nor its timing says whether the person is still on the list."""
        if self.subscriber_id(request.path_params["token"]) is None:
            return self.invalid.response()
        return self.confirm.response()

    async def unsubscribe(self, request: Request) -> Response:
        try:
            body = await read_body(request, MAX_BODY)
        except BodyTooLarge:
            return Response("request body too large", status_code=413, headers=HEADERS)
        subscriber_id = self.subscriber_id(request.path_params["token"])
        if subscriber_id is None:
            return self.invalid.response()
        source = ONE_CLICK if is_one_click(body) else LINK
        await self.batcher.unsubscribe(subscriber_id, source)
        return self.done.response()

    def _page(self, state: str, heading: str, message: str, status: int) -> _Page:
        html = render_page(
            "unsubscribe.html.j2",
            language=self.language,
            list_name=self.list_name,
            state=state,
            heading=heading,
            message=message,
            button=self.words["button"],
            again=self.words["again"],
            again_link=self.words["again_link"],
            subscribe_url=self.subscribe_url,
        )
        return _Page(html.encode("utf-8"), status)


class _Page:
    """A rendered page kept as bytes: the invalid, confirm and done pages never change."""

    def __init__(self, body: bytes, status: int) -> None:
        self.body = body
        self.status = status

    def response(self) -> Response:
        return HTMLResponse(self.body, status_code=self.status, headers=HEADERS)
