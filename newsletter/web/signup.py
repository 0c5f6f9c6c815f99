"""`/subscribe` and `/confirm/{token}`: the Starlette side of signing up.

The rules (limits, pending rows, the confirmation mail) live in `newsletter.signup`.

The answer to `POST /subscribe` is decided before the address is looked at:
a bad form, a full per-IP allowance or an invalid address each get their own
page, and every other POST — including a filled honeypot — gets the same
"check your inbox" page. The work that depends on the address runs as a
background task after that page has been sent.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from markupsafe import Markup, escape
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from newsletter.audience.addresses import InvalidAddress, clean_name, parse_address
from newsletter.audience.tokens import ConfirmClaims, TokenError, TokenExpired
from newsletter.config import Identity
from newsletter.i18n import catalog
from newsletter.render.pages import render_page
from newsletter.send.message import UnsupportedAddress, ascii_address
from newsletter.signup.reasons import reason_in
from newsletter.signup.service import ACTIVATED, ALREADY, SENT, STALE, Origin, SignupService
from newsletter.web.bodies import BodyTooLarge, read_body
from newsletter.web.forms import FormError, parse_form
from newsletter.web.offload import Offload
from newsletter.web.unsubscribe import HEADERS

log = logging.getLogger("newsletter.web.signup")
MAX_BODY = 8192
TRAP = "website"  # the honeypot: hidden from people, filled in by form-spamming bots


class SignupPages:
    def __init__(
        self, identity: Identity, promise: str, service: SignupService, offload: Offload
    ) -> None:
        """`promise`: the line saying what arrives and when (`signup.mail.promise`)."""
        self.service = service
        self.offload = offload
        self.language = identity.language
        self.list_name = identity.name
        self.words = catalog(self.language).table("signup")
        self.promise = promise
        self.form_url = f"{identity.public_url}/subscribe"
        self.days = max(1, service.limits.confirm_max_age.days)
        self.finished = 0  # background signups done (success or not): tests wait on it
        self.welcomed = 0  # background welcome mails done (success or not): tests wait on it

    def routes(self) -> list[Route]:
        return [
            Route("/subscribe", self.form, methods=["GET"]),
            Route("/subscribe", self.subscribe, methods=["POST"]),
            Route("/confirm/{token}", self.show_confirm, methods=["GET"]),
            Route("/confirm/{token}", self.confirm, methods=["POST"]),
        ]

    # -- /subscribe --------------------------------------------------------------

    async def form(self, _: Request) -> Response:
        return self._form()

    async def subscribe(self, request: Request) -> Response:
        try:
            body = await read_body(request, MAX_BODY)
        except BodyTooLarge:
            return Response("request body too large", status_code=413, headers=HEADERS)
        try:
            fields = parse_form(request.headers.get("content-type", ""), body)
        except FormError:
            return self._notice("bad_form", 400)
        origin = _origin(request)
        if not await self.offload.write(self.service.allow_ip, origin.ip):
            response = self._notice("busy", 429)
            response.headers["Retry-After"] = "3600"
            return response
        email = fields.get("email", "").strip()
        name = clean_name(fields.get("name", ""))
        if fields.get(TRAP, ""):
            return self._sent(email)  # the same page, and nothing is done
        error = self._check(email)
        if error:
            return self._form(error=error, email=email, name=name, status=400)
        return self._sent(email, BackgroundTask(self._ask, email, name, origin))

    async def _ask(self, email: str, name: str, origin: Origin) -> None:
        try:
            prepared = await self.offload.write(
                partial(self.service.prepare, email, name, source="signup", origin=origin)
            )
            if prepared.outcome == SENT:
                await self.offload.read(self.service.deliver, prepared)
        except Exception as exc:  # nobody is waiting for this answer: log it
            log.error("signup: no confirmation sent: %s: %s", type(exc).__name__, exc)
        finally:
            self.finished += 1

    async def _welcome(self, email: str) -> None:
        try:
            await self.offload.read(self.service.welcome, email)
        except Exception as exc:  # the subscription stands; the welcome is a courtesy
            log.error("signup: no welcome sent: %s: %s", type(exc).__name__, exc)
        finally:
            self.welcomed += 1

    def _check(self, email: str) -> str:
        """Why the address cannot be used (empty for a good one); from the text alone."""
        if not email:
            return self.words["empty_address"]
        try:
            ascii_address(parse_address(email).email)
        except InvalidAddress as exc:
            reason = reason_in(self.language, str(exc))
            if not reason:
                return self.words["bad_address_plain"]
            return self.words["bad_address"].format(reason=reason)
        except UnsupportedAddress:
            return self.words["unsupported_address"]
        return ""

    # -- /confirm/{token} --------------------------------------------------------

    async def show_confirm(self, request: Request) -> Response:
        claims = self._claims(request)
        if isinstance(claims, Response):
            return claims
        standing = await self.offload.read(self.service.standing, claims)
        if standing == ALREADY:
            return self._done()
        if standing == STALE:
            return self._notice("stale", 409)
        message = self.words["confirm_body"].format(
            list=self.list_name, address=mask_address(claims.email)
        )
        return self._page(
            "confirm", self.words["confirm_title"], message, button=self.words["confirm_button"]
        )

    async def confirm(self, request: Request) -> Response:
        try:
            await read_body(request, 4096)
        except BodyTooLarge:
            return Response("request body too large", status_code=413, headers=HEADERS)
        claims = self._claims(request)
        if isinstance(claims, Response):
            return claims
        outcome = await self.offload.write(self.service.confirm, claims, _origin(request))
        if outcome in (ACTIVATED, ALREADY):
            page = self._done()
            if outcome == ACTIVATED:  # once: a second press is ALREADY and sends nothing
                page.background = BackgroundTask(self._welcome, claims.email)
            return page
        return self._notice("stale", 409)

    def _claims(self, request: Request) -> ConfirmClaims | Response:
        """The confirmation link's claims, or the page saying why it cannot be used."""
        try:
            return self.service.read(request.path_params["token"])
        except TokenExpired:
            return self._notice("expired", 410)
        except TokenError:
            return self._notice("invalid", 400)

    # -- pages -------------------------------------------------------------------

    def _sent(self, email: str, background: BackgroundTask | None = None) -> Response:
        message = self.words["sent_body"].format(address=email, list=self.list_name, days=self.days)
        return self._page("sent", self.words["sent_title"], message, background=background)

    def _done(self) -> Response:
        body = self.words["done_body"].format(list=self.list_name, promise=self.promise)
        return self._page("done", self.words["done_title"], body)

    def _notice(self, kind: str, status: int) -> Response:
        """A page that explains a problem and links to the form to start again."""
        link = Markup('<a href="{0}">{0}</a>').format(self.form_url)
        message = escape(self.words[f"{kind}_body"]).format(url=link, days=self.days)
        return self._page(kind, self.words[f"{kind}_title"], message, status=status)

    def _form(
        self, *, error: str = "", email: str = "", name: str = "", status: int = 200
    ) -> Response:
        said = self.words
        return self._page(
            "form",
            said["form_title"].format(list=self.list_name),
            "",
            status=status,
            promise=self.promise,
            error=error,
            email_value=email,
            name_value=name,
            email_label=said["email_label"],
            name_label=said["name_label"],
            trap_label=said["trap_label"],
            button=said["subscribe_button"],
            note=said["privacy"],
        )

    def _page(
        self,
        state: str,
        heading: str,
        message: str,
        *,
        status: int = 200,
        background: BackgroundTask | None = None,
        **extra: Any,
    ) -> Response:
        html = render_page(
            "signup.html.j2",
            language=self.language,
            list_name=self.list_name,
            state=state,
            heading=heading,
            message=message,
            **extra,
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS, background=background)


def _origin(request: Request) -> Origin:
    """The client as uvicorn reports it (X-Forwarded-For applied only from trusted proxies)."""
    client = request.client
    return Origin(
        ip=client.host if client else "",
        user_agent=request.headers.get("user-agent", ""),
    )


def mask_address(email: str) -> str:
    """`m***@example.com`: enough for the owner to recognise, too little for anyone else."""
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"
