"""The reply to a request on a kept-alive connection, parsed by httptools (uvicorn's llhttp).

`http.client.HTTPResponse` makes a file object for every reply and reads its
headers through the `email` package: about a hundred Python calls and 30 µs per
message, a twentieth of the client's CPU at a thousand messages a second. llhttp
parses the same bytes in C and calls back once per header; the reply is read
with one `recv` when it fits. Status lines, headers, `Content-Length`, chunked
bodies, `Connection: close`, HTTP/1.0 and a body that runs to the end of the
connection are all handled as http.client handles them; a connection that ends
early raises `http.client.RemoteDisconnected` or `IncompleteRead`, and bytes that
are not HTTP raise an `http.client.HTTPException`, as http.client would.
"""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass

import httptools

CHUNK = 65536


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    will_close: bool  # the server ends the connection after this reply


class ReplyReader:
    """Reads the reply to each request sent on `sock` (one reader per connection)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._parser = httptools.HttpResponseParser(self)
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._headers_done = False
        self._complete = False
        self._status = 0
        self._keep_alive = False
        #: a byte of the current reply has arrived: the server read the request and answers
        self.started = False

    # httptools' callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        # read now: once the reply is complete, llhttp has reset for the next one
        self._status = self._parser.get_status_code()
        self._keep_alive = self._parser.should_keep_alive()
        self._headers_done = True

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._complete = True

    def read(self) -> Reply:
        """The next reply; informational (1xx) replies are skipped as http.client does."""
        self.started = False
        while True:
            self._headers, self._body = [], []
            self._headers_done = self._complete = False
            to_end = self._receive()
            status = self._status
            if 100 <= status < 200 and status != 101 and not to_end:
                continue
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self._headers]
            will_close = to_end or not self._keep_alive
            return Reply(status, headers, b"".join(self._body), will_close)

    def _receive(self) -> bool:
        """Feed the parser until the reply is complete; True when it ran to the end of the
        connection (no length given: the body is what came before the close)."""
        received = False
        while not self._complete:
            data = self._sock.recv(CHUNK)
            if not data:
                if not received:
                    raise http.client.RemoteDisconnected(
                        "Remote end closed connection without response"
                    )
                if self._headers_done and not self._framed():
                    return True
                raise http.client.IncompleteRead(b"".join(self._body))
            try:
                self._parser.feed_data(data)
            except httptools.HttpParserUpgrade as exc:
                raise http.client.HTTPException(f"unexpected protocol upgrade: {exc}") from None
            except httptools.HttpParserError as exc:
                raise http.client.HTTPException(f"not an HTTP reply: {exc}") from None
            received = self.started = True
        return False

    def _framed(self) -> bool:
        """The reply said where its body ends (a length, or chunks)."""
        names = {name.lower() for name, _ in self._headers}
        return b"content-length" in names or b"transfer-encoding" in names
