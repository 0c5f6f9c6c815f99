"""A feed server on 127.0.0.1 and feed builders for the collector's tests.

The server is the standard library's threading HTTP server, because the cases we
need — a body that never ends, a response that never starts, a redirect loop, a
304 — are easiest to write as plain handler code. It logs every response with
the number of body bytes it sent, so a test can prove a 304 run downloaded
nothing. (A plain module, not conftest, so tests can import it by a unique name.)
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape


@dataclass
class Logged:
    path: str
    status: int
    headers: dict[str, str]
    body_bytes: int
    client_port: int = 0  # one per TCP connection: tells kept-alive connections apart


@dataclass
class Reply:
    """What a route answers. `body` may be a callable writing to the socket itself."""

    status: int = 200
    body: bytes | Callable[[BaseHTTPRequestHandler], int] = b""
    headers: dict[str, str] | None = None
    etag: str = ""
    delay: float = 0.0
    gzip: bool = False


class FeedServer:
    def __init__(self, address: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Reply | Callable[[BaseHTTPRequestHandler], Reply]] = {}
        self.log: list[Logged] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.handle(self)

        self.httpd = ThreadingHTTPServer((address, port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *args: None  # type: ignore[method-assign]  # hang-ups
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def base(self) -> str:
        address, port = self.httpd.server_address[:2]
        return f"http://{address}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, reply: Reply | Callable[[BaseHTTPRequestHandler], Reply]) -> str:
        self.routes[path] = reply
        return self.url(path)

    def requests(self, path: str) -> list[Logged]:
        return [entry for entry in self.log if entry.path == path]

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(request.path)
        headers = {k.lower(): v for k, v in request.headers.items()}
        if route is None:
            reply = Reply(404, b"not found", {"Content-Type": "text/plain"})
        else:
            reply = route(request) if callable(route) else route
        if reply.delay:
            self.stopping.wait(reply.delay)
        status, body = reply.status, reply.body
        if reply.etag and headers.get("if-none-match") == reply.etag:
            status, body = 304, b""
        logged = Logged(request.path, status, headers, 0, request.client_address[1])
        self.log.append(logged)  # before answering: the client may look as soon as it has it
        request.send_response(status)
        for key, value in (reply.headers or {}).items():
            request.send_header(key, value)
        if reply.etag:
            request.send_header("ETag", reply.etag)
        sent = 0
        try:
            if callable(body):
                request.send_header("Connection", "close")
                request.end_headers()
                sent = body(request)
            else:
                if reply.gzip and status == 200:
                    body = gzip.compress(body)
                    request.send_header("Content-Encoding", "gzip")
                request.send_header("Content-Length", str(len(body)))
                request.end_headers()
                if status not in (204, 304):
                    request.wfile.write(body)
                    sent = len(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        logged.body_bytes = sent

    def endless(self, request: BaseHTTPRequestHandler) -> int:
        """A body that never ends (until the client hangs up or the server stops)."""
        chunk = b"<rss><channel>" + b"<item><title>x</title></item>" * 1000
        sent = 0
        try:
            while not self.stopping.is_set() and sent < 500_000_000:
                request.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        return sent

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


# -- feeds -----------------------------------------------------------------------------------

# Fixed times: the edition of 2026-02-03 goes out at 07:00 Asia/Seoul = 2026-02-02 22:00 UTC;
# the 24 h window is (2026-02-01 22:00, 2026-02-02 22:00] UTC.
DAY = datetime(2026, 2, 3).date()
NOW = datetime(2026, 2, 2, 21, 0, tzinfo=UTC)
IN_WINDOW = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)


def rss(items: list[dict[str, Any]], title: str = "Test Feed", declaration: str = "") -> str:
    """An RSS 2.0 document; item keys: title, link, guid, date (datetime|None), description,
    content (content:encoded, raw HTML). Values are escaped unless the key ends in `_raw`."""
    parts = [
        declaration or '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(title)}</title><link>https://example.com/</link>",
    ]
    for item in items:
        parts.append("<item>")
        if "title" in item:
            parts.append(f"<title>{escape(item['title'])}</title>")
        if "link" in item:
            parts.append(f"<link>{escape(item['link'])}</link>")
        if "guid" in item:
            parts.append(f'<guid isPermaLink="false">{escape(item["guid"])}</guid>')
        when = item.get("date", IN_WINDOW)
        if when is not None:
            parts.append(f"<pubDate>{format_datetime(when)}</pubDate>")
        if "description" in item:
            parts.append(f"<description>{escape(item['description'])}</description>")
        if "content" in item:
            parts.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)


def simple_feed(prefix: str, count: int = 3, title: str = "Test Feed") -> bytes:
    items = [
        {
            "title": f"{prefix} story number {i} about topic{prefix}{i}",
            "link": f"https://{prefix}.example/post/{i}",
            "guid": f"{prefix}-{i}",
            "description": f"<p>Lead of {prefix} {i}.</p>",
        }
        for i in range(count)
    ]
    return rss(items, title=title).encode("utf-8")
