"""The preview's HTTP face: the page, the edition's HTML and text, and its fingerprint.

The edition's HTML is served with a Content-Security-Policy that allows no
script: it carries feed text, and the iframes that show it are sandboxed too.
"""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from newsletter.render.options import RenderOptions
from newsletter.render.pages import render_page
from newsletter.runtime import Paths
from newsletter.web.offload import Offload
from newsletter.web.preview import BadDate, PreviewRenderer, edition_day, page_context

NO_STORE = {"Cache-Control": "no-store"}
EDITION_CSP = (
    "default-src 'none'; img-src * data:; style-src 'unsafe-inline' *; font-src *; "
    "frame-ancestors 'self'; base-uri 'self'"
)


class PreviewRoutes:
    def __init__(self, paths: Paths, options: RenderOptions, day: date, offload: Offload) -> None:
        self.paths = paths
        self.identity = options.identity
        self.default_day = day
        self.renderer = PreviewRenderer(paths, options)
        self.offload = offload

    def routes(self) -> list[Route]:
        return [
            Route("/", self.page),
            Route("/edition/{day}/email.html", self.html),
            Route("/edition/{day}/email.txt", self.text),
            Route("/edition/{day}/version", self.version),
        ]

    def _day(self, value: str | None) -> date:
        if value is None:
            return self.default_day
        return edition_day(self.paths, value)[0]

    async def page(self, request: Request) -> Response:
        try:
            day = self._day(request.query_params.get("date"))
        except BadDate as exc:
            return PlainTextResponse(str(exc), status_code=400)
        rendered = await self.offload.read(self.renderer.get, day)
        body = render_page("preview.html.j2", **page_context(self.identity, self.paths, rendered))
        briefing = self.paths.edition_dir(day) / "briefing.json"
        status = 200 if rendered.edition or briefing.exists() else 404
        return HTMLResponse(body, status_code=status, headers=NO_STORE)

    async def html(self, request: Request) -> Response:
        rendered, problem = await self._rendered(request)
        if problem is not None:
            return problem
        headers = {**NO_STORE, "Content-Security-Policy": EDITION_CSP}
        return HTMLResponse(rendered.html_for_frame(), headers=headers)

    async def text(self, request: Request) -> Response:
        rendered, problem = await self._rendered(request)
        if problem is not None:
            return problem
        return PlainTextResponse(rendered.text_for_display(), headers=NO_STORE)

    async def version(self, request: Request) -> Response:
        try:
            day = self._day(request.path_params["day"])
        except BadDate as exc:
            return PlainTextResponse(str(exc), status_code=400)
        return PlainTextResponse(self.renderer.fingerprint(day), headers=NO_STORE)

    async def _rendered(self, request: Request):  # a Response, or the Rendered to show
        try:
            day = self._day(request.path_params["day"])
        except BadDate as exc:
            return None, PlainTextResponse(str(exc), status_code=400)
        rendered = await self.offload.read(self.renderer.get, day)
        if rendered.edition is None:
            return None, PlainTextResponse(rendered.error, status_code=404)
        return rendered, None
