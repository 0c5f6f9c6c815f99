"""What the SES transport does when a connection fails, by where it failed.

Before the whole request went out SES cannot have acted on it: it may be sent
again. After, it may have sent the message, and only one case is told apart: a
kept-alive connection that turns out closed with no byte of answer, which is a
connection the server had closed while idle. A scripted endpoint on loopback
plays each case, one act per request, and counts the requests it read whole.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections import deque
from collections.abc import Iterator

import pytest

from newsletter.send.transports.base import AmbiguousError
from newsletter.send.transports.ses import SesTransport
from tests.fixtures.ses import REGION
from tests.fixtures.tls import Certificates

RAW = b"From: News <news@example.com>\r\nTo: reader@example.net\r\nSubject: x\r\n\r\nhello\r\n"

#: the acts: answer; answer, then close without a word; read, then close without a
#: byte; read, then close inside the answer; read, and never answer
ACTS = ("answer", "answer-then-close", "close", "cut", "silent")


class ScriptedEndpoint:
    """Plays `acts` in order, one per request read, whatever the connection."""

    def __init__(self, acts: list[str], tls: ssl.SSLContext | None = None) -> None:
        assert set(acts) <= set(ACTS)
        self.acts = deque(acts)
        self.requests: list[int] = []  # the connection (1, 2, …) each whole request came on
        self._server = socket.create_server(("127.0.0.1", 0))
        self._tls = tls
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.getsockname()[1]}"
        self._lock = threading.Lock()
        self._connections = 0
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._server.close()
        for sock in self._open:
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._server.accept()
            except OSError:
                return
            self._connections += 1
            self._open.append(sock)
            threading.Thread(
                target=self._serve, args=(sock, self._connections), daemon=True
            ).start()

    def _serve(self, sock: socket.socket, number: int) -> None:
        try:
            if self._tls is not None:  # closed later without a TLS close_notify, as servers do
                sock = self._tls.wrap_socket(sock, server_side=True)
            self._play(sock, number)
        except OSError:  # closed under it by `close()` at the end of the test
            return

    def _play(self, sock: socket.socket, number: int) -> None:
        with sock:
            while self._read_request(sock):
                with self._lock:
                    self.requests.append(number)
                    act = self.acts.popleft()
                if act == "silent":
                    self._wait_for_close(sock)
                    return
                if act == "close":
                    return
                if act == "cut":
                    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Ty")
                    return
                body = b'{"MessageId": "m-%d"}' % len(self.requests)
                sock.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                if act == "answer-then-close":
                    return

    @staticmethod
    def _read_request(sock: socket.socket) -> bool:
        """Read one whole request; False when the client closed the connection first."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return False
            body += chunk
        return True

    @staticmethod
    def _wait_for_close(sock: socket.socket) -> None:
        try:
            while sock.recv(65536):
                pass
        except OSError:
            pass


@pytest.fixture(params=["http", "https"])
def endpoint(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    certificates: Certificates,
) -> Iterator[ScriptedEndpoint]:
    """The acts of the test's parameter, over plain HTTP and over TLS (where a connection
    closed under the client can read as a TLS error instead of a reset)."""
    tls = None
    if request.param == "https":
        tls = certificates.server_context()
        monkeypatch.setenv("AWS_CA_BUNDLE", str(certificates.ca_file))
    scripted = ScriptedEndpoint(list(request.node.callspec.params["acts"]), tls)
    yield scripted
    scripted.close()


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def transport_for(endpoint: ScriptedEndpoint, timeout: float = 30.0) -> SesTransport:
    return SesTransport(
        region=REGION, endpoint_url=endpoint.url, sender="news@example.com", timeout=timeout
    )


def send(transport: SesTransport) -> str:
    return transport.send(RAW, recipient="reader@example.net", tags={})


@pytest.mark.parametrize("acts", [("answer-then-close", "answer")])
def test_a_connection_closed_while_idle_is_replaced_and_the_message_goes_once(
    endpoint: ScriptedEndpoint, acts: tuple[str, ...]
) -> None:
    transport = transport_for(endpoint)
    assert send(transport) == "m-1"
    assert send(transport) == "m-2"  # the kept connection is closed: a new one, at once
    assert endpoint.requests == [1, 2]  # each request read once, the second on connection 2
    signed = transport._signed
    assert signed is not None and len(signed._all) == 1  # the closed one is not kept around
    transport.close()


@pytest.mark.parametrize(
    "acts",
    [("close",), ("answer", "cut"), ("cut",), ("answer", "silent"), ("silent",)],
    ids=[
        "closed-without-a-byte-on-a-new-connection",
        "answer-cut-on-a-kept-connection",
        "answer-cut-on-a-new-connection",
        "no-answer-in-time-on-a-kept-connection",
        "no-answer-in-time-on-a-new-connection",
    ],
)
def test_no_answer_after_the_request_went_out_is_ambiguous_and_not_sent_again(
    endpoint: ScriptedEndpoint, acts: tuple[str, ...]
) -> None:
    transport = transport_for(endpoint, timeout=0.5)
    for _ in acts[:-1]:
        send(transport)
    with pytest.raises(AmbiguousError, match="no answer from SES after the message went out"):
        send(transport)
    transport.close()
    assert endpoint.requests == [1] * len(acts)  # read once each, nothing sent again


@pytest.mark.parametrize("acts", [("answer", "close", "answer")])
def test_a_kept_connection_closed_without_a_byte_after_reading_is_taken_for_idle(
    endpoint: ScriptedEndpoint, acts: tuple[str, ...]
) -> None:
    """The one case a message can go twice: the server read the request on a kept-alive
    connection and closed it without a byte of answer. From the client that is exactly an
    idle close (urllib3 and http.client take it so too), so the request goes again."""
    transport = transport_for(endpoint)
    assert send(transport) == "m-1"
    assert send(transport) == "m-3"
    transport.close()
    assert endpoint.requests == [1, 1, 2]
