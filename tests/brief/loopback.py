"""A scripted HTTP server on 127.0.0.1 for the model stubs (Converse, Chat Completions).

Each POST goes to `on_post(path, headers, body)` (a GET to `on_get`), which returns
the `Answer`; the server waits the answer's delay, then sends it. It counts the requests it is
holding at once (`in_flight`, `max_in_flight`) under `lock`, a Condition a stub
can wait on, so tests assert concurrency through the server rather than a clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0


OnPost = Callable[[str, dict[str, str], bytes], Answer]


class LoopbackServer:
    def __init__(self, on_post: OnPost, on_get: OnPost | None = None) -> None:
        self.lock = threading.Condition()
        self.in_flight = 0
        self.max_in_flight = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if on_get is None:
                    self.send_error(405)
                    return
                self._answer(on_get, b"")

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._answer(on_post, raw)

            def _answer(self, respond: OnPost, raw: bytes) -> None:
                with server.lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    server.lock.notify_all()
                try:
                    answer = respond(self.path, dict(self.headers.items()), raw)
                    time.sleep(answer.delay)
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:  # the client gave up waiting (the timeout tests)
                    pass
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
