"""The public site's routes: `/`, `/archive/…`, `/feed.xml`, and the 404 page.

Pages come from `newsletter.site` (shared with `newsletter publish`); this module
only adds HTTP: validators (a strong ETag of the body and Last-Modified from the
newest edition shown), `304 Not Modified` for a client that has the page, and a
short public cache so a proxy or CDN takes the load of a mention on a busy site.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from newsletter.site.pages import Page, SitePages
from newsletter.web.offload import Offload

CACHE_CONTROL = "public, max-age=300"
SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # the pages are static HTML and CSS: no script may run, nothing may frame them
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
        "form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'"
    ),
}


class SiteRoutes:
    def __init__(self, pages: SitePages, offload: Offload) -> None:
        self.pages = pages
        self.offload = offload

    def routes(self) -> list[Route]:
        return [
            Route("/", self.landing, methods=["GET", "HEAD"]),
            Route("/archive/", self.archive, methods=["GET", "HEAD"]),
            Route("/archive/page/{number:int}/", self.archive, methods=["GET", "HEAD"]),
            Route("/archive/{day}/", self.edition, methods=["GET", "HEAD"]),
            Route("/feed.xml", self.feed, methods=["GET", "HEAD"]),
        ]

    async def landing(self, request: Request) -> Response:
        return await self._answer(request, self.pages.landing)

    async def archive(self, request: Request) -> Response:
        number = request.path_params.get("number", 1)
        if number == 1 and "number" in request.path_params:  # /archive/page/1/ is /archive/
            return Response(status_code=308, headers={"Location": self.pages.archive_url(1)})
        return await self._answer(request, lambda: self.pages.archive_page(number))

    async def edition(self, request: Request) -> Response:
        day = request.path_params["day"]
        return await self._answer(request, lambda: self.pages.edition(day))

    async def feed(self, request: Request) -> Response:
        return await self._answer(request, self.pages.feed)

    async def not_found(self, request: Request, _exc: Exception) -> Response:
        page = await self.offload.read(self.pages.not_found)
        return Response(page.body, 404, media_type=page.media_type, headers=SECURITY)

    async def _answer(self, request: Request, build: Callable[[], Page | None]) -> Response:
        page = await self.offload.read(build)
        if page is None:
            return await self.not_found(request, LookupError())
        return conditional(request, page)


def conditional(request: Request, page: Page) -> Response:
    """`page` with its validators, or an empty 304 when the client's copy is current."""
    etag = '"' + hashlib.sha256(page.body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, **SECURITY}
    if page.updated is not None and page.updated.year > 1970:
        headers["Last-Modified"] = format_datetime(page.updated, usegmt=True)
    if _not_modified(request, etag, page):
        return Response(status_code=304, headers=headers)
    body = b"" if request.method == "HEAD" else page.body
    response = Response(body, page.status, media_type=page.media_type, headers=headers)
    if request.method == "HEAD":
        response.headers["Content-Length"] = str(len(page.body))
    return response


def _not_modified(request: Request, etag: str, page: Page) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since."""
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since and page.updated is not None:
        try:
            return page.updated.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False
