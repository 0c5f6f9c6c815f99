"""What `newsletter preview` and `newsletter serve` run: bind, build the app, serve.

Kept out of `newsletter.cli` so the CLI stays a thin parser; the CLI imports this
module (and with it Starlette and uvicorn) only when a server really starts.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from datetime import date

from newsletter.audience.tokens import SecretKeyError
from newsletter.pipeline import InputMissing
from newsletter.runtime import Runtime
from newsletter.web.app import create_app
from newsletter.web.preview import available_days
from newsletter.web.server import BindError, bind, serve_forever, url_of

Say = Callable[[str], None]
PREVIEW_HOST = "127.0.0.1"  # never 0.0.0.0: the preview shows unsent editions


class LaunchError(Exception):
    """The server cannot start; one line for the user."""


class LaunchRefused(LaunchError):
    """The setup forbids starting (no usable secret key): the configuration must change."""


def run_preview(
    runtime: Runtime, day: date | None, *, port: int, open_browser: bool, say: Say
) -> None:
    """Serve the preview of `day` on 127.0.0.1 until Ctrl-C; without a day, today's
    edition, or the newest one there is when today has none yet."""
    if day is None:
        day = _newest_day(runtime, say)
    briefing = runtime.paths.edition_dir(day) / "briefing.json"
    if not briefing.is_file():
        raise InputMissing(briefing, "draft", day)
    try:
        sock = bind(PREVIEW_HOST, port)
    except BindError as exc:
        raise LaunchError(f"{exc} (try another --port)") from None
    app = create_app(runtime, preview_day=day, access_log=lambda _line: None)
    url = f"{url_of(sock)}/?date={day}"

    def ready() -> None:
        say(f"preview of {day}: {url}  (re-renders on save; Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    serve_forever(app, sock, on_ready=ready)


def _newest_day(runtime: Runtime, say: Say) -> date:
    today = runtime.clock.today()
    days = available_days(runtime.paths)
    if not days:
        raise LaunchError(
            f"no edition yet in {runtime.paths.editions_dir}: run `newsletter collect` and "
            "`newsletter draft` first (or `newsletter daily`, which also sends)"
        )
    if today.isoformat() in days:
        return today
    say(f"today ({today}) has no edition yet: showing the newest, {days[0]}")
    return date.fromisoformat(days[0])


def run_serve(runtime: Runtime, *, host: str, port: int, say: Say) -> None:
    """Serve the public app (unsubscribe, SES feedback, health) until SIGTERM/Ctrl-C."""
    _log_to_stderr()
    try:
        app = create_app(runtime)
    except SecretKeyError as exc:
        raise LaunchRefused(str(exc)) from None
    try:
        sock = bind(host, port)
    except BindError as exc:
        raise LaunchError(str(exc)) from None
    serve_forever(
        app,
        sock,
        on_ready=lambda: say(f"serving {runtime.settings.newsletter.name} on {url_of(sock)}"),
    )


def _log_to_stderr() -> None:
    """Access log lines (JSON) and warnings on stderr, one line each, nothing else added."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("newsletter.web")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
