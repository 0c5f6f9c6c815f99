"""SES v2 SendEmail as one signed HTTP request on a kept-alive connection per worker thread.

botocore spends about twice the CPU of the request itself on each call (endpoint
rules, parameter validation, serialisation through the model, event hooks,
urllib3's URL and header handling): at a thousand messages a second that is the
whole client's budget. A raw send has one varying field and the same shape every
time, so the JSON body is written directly (the base64 of the message needs no
escaping), signed for SigV4 with the session's (refreshing) credentials
(`sigv4.py`: the same header botocore's signer writes), and written with its
head in one `sendall` on a connection each worker thread keeps; httptools reads
the reply (`reply.py`). (`HTTPConnection.request` writes head and body in two
system calls, each a GIL hand-over among eight threads: ≈40 µs a message.)
Errors are parsed by botocore's own REST-JSON parser into the same `ClientError`
the client would raise, so they are classified exactly as before.

A connection that fails after the whole request went out is not the same failure
as one that fails before: SES may have taken the message. So `Unanswered` is
raised for it — the campaign leaves that row ambiguous instead of sending it again
(botocore would retry, and the reader could get two copies). One case is told
apart and sent again at once on a new connection: a kept-alive connection reset or
closed with no byte of reply, which is a connection the server had closed while it
sat idle (urllib3 and http.client read it the same way); on a new connection, after
a part of the reply, or on a timeout, the message may have left.

Used only where botocore would connect directly: with a proxy configured for the
endpoint (`HTTPS_PROXY`, …) the transport keeps the boto3 client's `send_email`.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import ssl
import struct
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import HeadersDict
from botocore.exceptions import ClientError
from botocore.httpsession import get_cert_path
from botocore.parsers import create_parser
from botocore.utils import get_environ_proxies

from newsletter.send.message import RawMessage
from newsletter.send.transports.reply import ReplyReader
from newsletter.send.transports.sigv4 import JsonPostSigner

SEND_PATH = "/v2/email/outbound-emails"
#: A connection idle longer than this is replaced before use: SES (and most load
#: balancers) close idle keep-alive connections, and a request on a closed one fails.
IDLE_SECONDS = 4.0


class _Connection(threading.local):
    link: tuple[http.client.HTTPConnection, ReplyReader] | None = None
    used: float = 0.0


class Unanswered(Exception):
    """The whole request went out and no complete reply came back: SES may have read it and
    sent the message (SES has no idempotency key), so sending it again may send it twice."""


class SignedSender:
    """`send(raw, recipient, tags)` → the SES message id; raises ClientError or OSError /
    http.client.HTTPException like the boto3 client raises its errors, and `Unanswered`
    where the boto3 client would raise one of those after the request went out."""

    def __init__(self, client: Any, credentials: Any, timeout: float = 30.0) -> None:
        meta = client.meta
        self.url = meta.endpoint_url.rstrip("/")
        parts = urlsplit(self.url)
        self._secure = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        default = 443 if self._secure else 80
        self._host_header = parts.netloc if parts.port not in (None, default) else self._host
        path = f"{parts.path.rstrip('/')}{SEND_PATH}"
        self._request_line = f"POST {path} HTTP/1.1\r\n".encode("ascii")
        self._signer = JsonPostSigner(
            credentials,
            service=meta.service_model.signing_name or "ses",
            region=meta.region_name,
            host=self._host_header,
            path=path,
        )
        self._output_shape = meta.service_model.operation_model("SendEmail").output_shape
        self._parser = create_parser("rest-json")
        self._timeout = timeout
        self._local = _Connection()
        self._framed: tuple[Any, bytes, bytes] = (None, b"", b"")
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._tls = ssl.create_default_context(cafile=_ca_bundle()) if self._secure else None

    @staticmethod
    def usable(client: Any) -> bool:
        """False when botocore would go through a proxy for this endpoint."""
        return not get_environ_proxies(client.meta.endpoint_url) and not (
            client.meta.config.proxies
        )

    def send(
        self,
        raw: bytes,
        *,
        sender: str,
        recipient: str,
        tags: dict[str, str],
        configuration_set: str,
    ) -> str:
        status, reply_headers, reply = self._post(
            self.request(
                raw,
                sender=sender,
                recipient=recipient,
                tags=tags,
                configuration_set=configuration_set,
            )
        )
        if status == 200:
            return str(json.loads(reply)["MessageId"])
        parsed = self._parser.parse(
            {"status_code": status, "headers": HeadersDict(reply_headers), "body": reply},
            self._output_shape,
        )
        raise ClientError(parsed, "SendEmail")

    def request(
        self,
        raw: bytes,
        *,
        sender: str,
        recipient: str,
        tags: dict[str, str],
        configuration_set: str,
        now: float | None = None,
    ) -> bytes:
        """The whole HTTP request of one SendEmail, signed at `now` (default: this instant).

        The body is hashed in its pieces and joined once, with the head: one copy of
        the message's ≈80 KB of base64 where joining the body first made two.
        """
        head, tail = self._frame(sender, tags, configuration_set)
        body = (
            head,
            json.dumps(recipient).encode("utf-8"),
            tail,
            raw.base64() if isinstance(raw, RawMessage) else base64.b64encode(raw),
            b'"}}}',
        )
        headers = self._signer.headers(body, now=now)
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        length = sum(len(piece) for piece in body)
        return b"".join(
            (
                self._request_line,
                lines.encode("latin-1"),
                b"Content-Length: %d\r\n\r\n" % length,
                *body,
            )
        )

    def _frame(
        self, sender: str, tags: dict[str, str], configuration_set: str
    ) -> tuple[bytes, bytes]:
        """The JSON body before and after the recipient, up to the message's base64: the
        same for every message of a campaign, so made once (the last one is kept)."""
        key = (sender, tuple(tags.items()), configuration_set)
        framed = self._framed
        if framed[0] == key:
            return framed[1], framed[2]
        rest: dict[str, Any] = {}
        if tags:
            rest["EmailTags"] = [{"Name": k, "Value": v} for k, v in tags.items()]
        if configuration_set:
            rest["ConfigurationSetName"] = configuration_set
        # json.dumps of {"FromEmailAddress", "Destination", *rest, "Content"} in that order
        head = f'{{"FromEmailAddress": {json.dumps(sender)}, "Destination": {{"ToAddresses": ['
        more = f", {json.dumps(rest)[1:-1]}" if rest else ""
        tail = f']}}{more}, "Content": {{"Raw": {{"Data": "'
        framed = (key, head.encode("ascii"), tail.encode("ascii"))  # json.dumps writes ASCII
        self._framed = framed  # one tuple: threads see the old or the new one
        return framed[1], framed[2]

    def _post(self, request: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """One request, one reply. Raises OSError / HTTPException when SES cannot have read
        the whole request (safe to send again), `Unanswered` when it may have."""
        for attempt in (1, 2):
            connection, replies, reused = self._connection()
            try:
                connection.sock.sendall(request)
            except OSError:
                self._forget(connection)
                if reused and attempt == 1:
                    continue  # most likely closed while idle; either way the request is cut
                raise  # an incomplete request: the server acts on none of it
            except BaseException:
                self._forget(connection)
                raise
            try:
                reply = replies.read()
            except (OSError, http.client.HTTPException) as exc:
                self._forget(connection)
                stale = isinstance(exc, ConnectionResetError) and not replies.started
                if stale and reused and attempt == 1:
                    # closed by the server while idle (it never read this request); a reset
                    # on a new connection, or a reply cut short, is not that
                    continue
                raise Unanswered(f"{type(exc).__name__}: {exc}") from exc
            except BaseException:
                self._forget(connection)
                raise
            if reply.will_close:
                self._forget(connection)
            else:
                self._local.used = time.monotonic()
            return reply.status, reply.headers, reply.body
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _forget(self, connection: http.client.HTTPConnection) -> None:
        """Close `connection`: a broken or finished one is never reused (nor kept for
        `close()`: a server that closes after every answer would make that list endless)."""
        connection.close()
        self._local.link = None
        with self._lock:
            if connection in self._all:
                self._all.remove(connection)

    def _connection(self) -> tuple[http.client.HTTPConnection, ReplyReader, bool]:
        """This thread's connection, its reader, and whether it carried a request before."""
        local = self._local
        if local.link is not None and time.monotonic() - local.used > IDLE_SECONDS:
            self._forget(local.link[0])
        if local.link is not None:
            return local.link[0], local.link[1], True
        connection: http.client.HTTPConnection
        if self._secure:
            connection = http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeout, context=self._tls
            )
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        connection.connect()
        # a request's last segment must not wait for the server's delayed ACK of the
        # previous one (~40 ms a message), as urllib3 knows too
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self._secure:
            _kernel_timeouts(connection.sock, self._timeout)
        local.link = (connection, ReplyReader(connection.sock))
        with self._lock:
            self._all.append(connection)
        return local.link[0], local.link[1], False

    def close(self) -> None:
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()


def _kernel_timeouts(sock: socket.socket, seconds: float) -> None:
    """The socket's timeouts kept by the kernel (SO_SNDTIMEO/SO_RCVTIMEO) instead of Python.

    With a Python timeout every send and receive is preceded by a poll(): two more
    system calls a message, each a hand-over of the GIL among the worker threads. A
    kernel timeout ends a stuck call with EAGAIN, an OSError, as a Python timeout would.
    Plain sockets only: a TLS socket without a Python timeout takes EAGAIN for "read
    again" and waits forever, so TLS keeps Python's timeout.
    """
    whole = int(seconds)
    timeval = struct.pack("ll", whole, int((seconds - whole) * 1_000_000))
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
    except OSError:  # a platform with another struct timeval: keep Python's timeout
        return
    sock.settimeout(None)


def _ca_bundle() -> str | None:
    """The CA bundle botocore would verify against (AWS_CA_BUNDLE wins, as in botocore)."""
    return os.environ.get("AWS_CA_BUNDLE") or get_cert_path(True) or None
