"""A loopback HTTP proxy in front of the SES endpoint that misbehaves on purpose.

It answers a share of `SendEmail` requests itself — a throttling error as SES v2
sends it (HTTP 429 with `x-amzn-ErrorType`, or HTTP 400 with a JSON `__type`), or
a 500 — *without* forwarding them, so a retried message can only arrive once.
Connections can fail the two ways that matter to exactly-once: closed silently
after an answer, as a server closes a kept-alive connection it thinks idle
(`close_after_answer`; nothing is lost), or with the answer lost after SES took the
message (`lose_answers=N`: the first N sends are forwarded, then the reply is cut
after its status line). It can also impersonate `GetAccount` (moto lacks it) and pause
the account after a number of sends. Every forwarded send is timestamped on arrival,
which is how the tests measure the rate the endpoint saw.

With `hold_after=N` it is also a gate: the first N sends pass, later ones wait at the
gate until the test calls `release()`. A test that must look at a send *while it is
running* waits for `held` to grow instead of hoping the machine is slow enough.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

SEND_PATH = "/v2/email/outbound-emails"
ACCOUNT_PATH = "/v2/email/account"
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class FaultySes:
    def __init__(
        self,
        upstream: str,
        *,
        throttle: float = 0.0,
        server_error: float = 0.0,
        close_after_answer: bool = False,
        lose_answers: int = 0,
        seed: int = 7,
        account: dict[str, Any] | None = None,
        paused_after: int | None = None,
        pause_code: str = "SendingPausedException",
        deny_quota: bool = False,
        hold_after: int | None = None,
    ) -> None:
        self.upstream = urlsplit(upstream)
        self.throttle, self.server_error = throttle, server_error
        self.close_after_answer = close_after_answer
        self.lose_answers = lose_answers
        self.account = account
        self.paused_after = paused_after
        self.pause_code = pause_code
        self.deny_quota = deny_quota  # an IAM policy that only allows sending
        self.hold_after = hold_after
        self.held = 0  # sends waiting at the gate right now
        self._admitted = 0
        self._released = threading.Event()
        self._forward_held = True
        self.stats: Counter[str] = Counter()
        self.arrivals: list[float] = []  # monotonic time of each forwarded SendEmail
        self.requests: list[float] = []  # … and of every SendEmail request, faulted or not
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultySes:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.release(forward=False)
        self._server.shutdown()
        self._server.server_close()

    def measured_rate(self, *, every_request: bool = False) -> float:
        """Forwarded sends (or all send requests) per second between the first and the last."""
        times = sorted(self.requests if every_request else self.arrivals)
        return (len(times) - 1) / (times[-1] - times[0])

    def release(self, *, forward: bool = True) -> None:
        """Open the gate for good: held sends go on to SES, or (`forward=False`, for a sender
        that was killed meanwhile) are dropped unanswered, as if the connection broke."""
        with self._lock:
            if not self._released.is_set():
                self._forward_held = forward
        self._released.set()

    def _through_gate(self) -> bool:
        """False when a held send is to be dropped; blocks while the gate holds it."""
        with self._lock:
            if self.hold_after is None or self._released.is_set():
                return True
            if self._admitted < self.hold_after:
                self._admitted += 1
                return True
            self.held += 1
        self._released.wait()
        with self._lock:
            self.held -= 1
            return self._forward_held

    def _decide(self) -> str:
        with self._lock:
            if self.paused_after is not None and self.stats["forwarded"] >= self.paused_after:
                return "paused"
            roll = self._random.random()
        if roll < self.throttle:
            return "throttle-json" if roll < self.throttle / 2 else "throttle-header"
        roll -= self.throttle
        if roll < self.server_error:
            return "500"
        return "forward"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                return None

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def _answer(self, status: int, body: dict[str, Any], **headers: str) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy.deny_quota and self.path.startswith(ACCOUNT_PATH):
                    proxy.stats["denied"] += 1
                    denied = {"__type": "AccessDeniedException", "message": "not authorized"}
                    self._answer(403, denied)
                    return
                if proxy.deny_quota and b"Action=GetSendQuota" in body:
                    proxy.stats["denied"] += 1
                    self._deny_v1()
                    return
                if self.path.startswith(ACCOUNT_PATH) and proxy.account is not None:
                    proxy.stats["account"] += 1
                    self._answer(200, proxy.account)
                    return
                if self.path.startswith(SEND_PATH):
                    if not proxy._through_gate():
                        self.close_connection = True
                        return
                    arrived = time.monotonic()
                    action = proxy._decide()
                    with proxy._lock:
                        proxy.stats[action] += 1
                        proxy.requests.append(arrived)
                    if action == "paused":
                        message = "Sending is paused for this account."
                        self._answer(400, {"__type": proxy.pause_code, "message": message})
                        return
                    if action == "throttle-json":
                        throttled = {
                            "__type": "TooManyRequestsException",
                            "message": "Maximum sending rate exceeded.",
                        }
                        self._answer(400, throttled)
                        return
                    if action == "throttle-header":
                        self._answer(
                            429,
                            {"message": "Maximum sending rate exceeded."},
                            x_amzn_ErrorType="TooManyRequestsException:",
                        )
                        return
                    if action == "500":
                        self._answer(500, {"message": "Internal failure"})
                        return
                    with proxy._lock:
                        proxy.arrivals.append(arrived)
                        proxy.stats["forwarded"] += 1
                        lose = proxy.stats["forwarded"] <= proxy.lose_answers
                    self._forward(body, cut=lose)
                    if proxy.close_after_answer and not lose:  # no `Connection: close`
                        self.close_connection = True
                    with proxy._lock:
                        if lose:
                            proxy.stats["lost-answer"] += 1
                        elif proxy.close_after_answer:
                            proxy.stats["closed-after-answer"] += 1
                    return
                self._forward(body)

            def _deny_v1(self) -> None:
                data = (
                    b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                    b"<Message>not authorized to perform ses:GetSendQuota</Message></Error>"
                    b"<RequestId>1</RequestId></ErrorResponse>"
                )
                self.send_response(403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _forward(self, body: bytes, *, cut: bool = False) -> None:
                """Send `body` on to SES and its answer back (`cut`: only the status line of
                the answer, then the connection closes)."""
                upstream = http.client.HTTPConnection(
                    proxy.upstream.hostname, proxy.upstream.port, timeout=30
                )
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                finally:
                    upstream.close()
                if cut:
                    self.wfile.write(b"HTTP/1.1 %d OK\r\n" % response.status)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
