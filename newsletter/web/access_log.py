"""One JSON line per request: what an operator greps, ships to a log store, or counts.

The unsubscribe token in `/u/{token}` is a capability (whoever holds it can
unsubscribe that person) and it names a subscriber, so it never reaches a log:
the path is logged as `/u/…`; a signup confirmation token (`/confirm/{token}`)
carries the address and subscribes it, so it is logged as `/confirm/…`. Query
strings are dropped for the same reason.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

LOGGER_NAME = "newsletter.web.access"
_TOKEN_PATH = re.compile(r"^/(u|confirm)/[^/]+")

Sink = Callable[[str], None]


def _default_sink(line: str) -> None:
    logging.getLogger(LOGGER_NAME).info(line)


def redact(path: str) -> str:
    return _TOKEN_PATH.sub(lambda match: f"/{match.group(1)}/…", path)


class AccessLog:
    """Pure ASGI middleware (no per-request task or body copy, unlike BaseHTTPMiddleware)."""

    def __init__(self, app: Any, sink: Sink | None = None) -> None:
        self.app = app
        self.sink = sink if sink is not None else _default_sink

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen: dict[str, int] = {"status": 500, "bytes": 0}

        async def counting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            self.sink(self.line(scope, seen["status"], seen["bytes"], started))

    @staticmethod
    def line(scope: dict[str, Any], status: int, size: int, started: float) -> str:
        headers = dict(scope.get("headers") or [])
        client = scope.get("client")
        record = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": scope.get("method", ""),
            "path": redact(scope.get("path", "")),
            "status": status,
            "bytes": size,
            "ms": round((time.perf_counter() - started) * 1000, 2),
            "client": client[0] if client else "",
            "agent": headers.get(b"user-agent", b"").decode("latin-1")[:200],
        }
        return json.dumps(record, ensure_ascii=False)
