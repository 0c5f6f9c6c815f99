"""The two web apps: the public one (`serve`) and the local edition preview (`preview`).

They share nothing but the access log and `/healthz`, and they are separate
apps on purpose: the preview renders whatever is in the data folder and must
never be reachable from outside, while the public app has exactly four jobs
(signup with confirmation, unsubscribe pages, SES feedback, health) and nothing
else to attack.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from newsletter.audience.store import SubscriberStore
from newsletter.feedback.event_log import EventLog
from newsletter.feedback.intake import Intake
from newsletter.feedback.record import FeedbackRecorder
from newsletter.feedback.sns import SnsVerifier
from newsletter.runtime import Runtime
from newsletter.signup.mail import promise
from newsletter.signup.service import SignupService
from newsletter.site.archive import Archive
from newsletter.site.pages import SitePages
from newsletter.web.access_log import AccessLog, Sink
from newsletter.web.feedback import SesFeedbackEndpoint
from newsletter.web.offload import Offload
from newsletter.web.preview_routes import PreviewRoutes
from newsletter.web.signup import SignupPages
from newsletter.web.site import SiteRoutes
from newsletter.web.unsubscribe import UnsubscribePages

log = logging.getLogger("newsletter.web")
LOCAL_HOSTS = ["127.0.0.1", "localhost"]


def create_app(
    runtime: Runtime,
    *,
    preview_day: date | None = None,
    sns_verifier: SnsVerifier | None = None,
    store: SubscriberStore | None = None,
    secret: str | None = None,
    access_log: Sink | None = None,
    signup: SignupService | None = None,
) -> Any:
    """The ASGI app: the preview of `preview_day` when given, else the public app.

    The app takes its pieces from the one `runtime` of the process (built by the
    command that starts the server) and hands each route only what it uses.
    `sns_verifier` replaces the production verifier (tests inject one whose
    certificate fetcher serves a throw-away certificate); `store` and `secret`
    default to the runtime's database and key; `signup` replaces the signup rules
    (tests inject a clock, limits or a transport).
    """
    if preview_day is not None:
        return AccessLog(_preview_app(runtime, preview_day), access_log)
    return AccessLog(_public_app(runtime, sns_verifier, store, secret, signup), access_log)


def _public_app(
    runtime: Runtime,
    verifier: SnsVerifier | None,
    store: SubscriberStore | None,
    secret: str | None,
    signup: SignupService | None,
) -> Starlette:
    settings = runtime.settings
    identity = runtime.render_options.identity
    store = signup.store if signup is not None else store or runtime.subscribers
    if secret is None:
        secret = runtime.secret
    offload = Offload(store.engine.dialect.name)
    feedback_settings = settings.feedback
    if verifier is None:
        verifier = SnsVerifier(feedback_settings.topic_arns)
    if not verifier.topics:
        log.warning("feedback.topic_arns is not set: /feedback/ses refuses every SNS message")
    recorder = FeedbackRecorder(
        store,
        feedback_settings.transient_bounce_limit,
        feedback_settings.transient_bounce_days,
        unsubscribe_mailbox=settings.sender.unsubscribe_mailbox,
    )
    pages = UnsubscribePages(identity, store, secret, offload)
    events = EventLog(
        store.engine,
        track_opens=feedback_settings.track_opens,
        track_clicks=feedback_settings.track_clicks,
    )
    feedback = SesFeedbackEndpoint(verifier, Intake(recorder, events), offload)
    archive = Archive(store.engine, runtime.paths.editions_dir)
    site_pages = SitePages(runtime.render_options, archive)
    if signup is None:
        signup = runtime.signup(store, secret, latest_edition=site_pages.latest)
    signup_pages = SignupPages(identity, promise(settings.newsletter), signup, offload)
    site = SiteRoutes(site_pages, offload)

    async def healthz(_: Request) -> JSONResponse:
        try:
            await offload.read(_ping, store)
        except Exception as exc:
            log.error("health check: database unavailable: %s", exc)
            return JSONResponse({"status": "unavailable", "database": "error"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/u/{token}", pages.show, methods=["GET"]),
        Route("/u/{token}", pages.unsubscribe, methods=["POST"]),
        Route("/feedback/ses", feedback.handle, methods=["POST"]),
        *signup_pages.routes(),
        *site.routes(),
    ]
    app = Starlette(routes=routes, exception_handlers={404: site.not_found})
    app.state.store = store
    app.state.recorder = recorder
    app.state.events = events
    app.state.signup = signup_pages
    return app


def _ping(store: SubscriberStore) -> None:
    with store.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _preview_app(runtime: Runtime, day: date) -> Starlette:
    preview = PreviewRoutes(runtime.paths, runtime.render_options, day, Offload("preview"))

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    # Only local names: a page on another site cannot reach the preview by DNS rebinding.
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=LOCAL_HOSTS)]
    return Starlette(routes=[*preview.routes(), Route("/healthz", healthz)], middleware=middleware)
