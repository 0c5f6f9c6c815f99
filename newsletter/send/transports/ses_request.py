"""SES v2 SendEmail as one signed HTTP request on a kept-alive connection per worker thread.

botocore spends about twice the CPU of the request itself on each call (endpoint
rules, parameter validation, serialisation through the model, event hooks,
urllib3's URL and header handling): at a thousand messages a second that is the
whole client's budget. A raw send has one varying field and the same shape every
time, so the JSON body is written directly (the base64 of the message needs no
escaping), signed with botocore's own SigV4 signer and the session's (refreshing)
credentials, and posted with `http.client` on a connection each worker thread
keeps. Errors are parsed by botocore's own REST-JSON parser into the same
`ClientError` the client would raise, so they are classified exactly as before.

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
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HeadersDict
from botocore.exceptions import ClientError
from botocore.httpsession import get_cert_path
from botocore.parsers import create_parser
from botocore.utils import get_environ_proxies

from newsletter.send.message import RawMessage

SEND_PATH = "/v2/email/outbound-emails"
#: A connection idle longer than this is replaced before use: SES (and most load
#: balancers) close idle keep-alive connections, and a request on a closed one fails.
IDLE_SECONDS = 4.0


class _Connection(threading.local):
    connection: http.client.HTTPConnection | None = None
    used: float = 0.0


class SignedSender:
    """`send(raw, recipient, tags)` → the SES message id; raises ClientError or OSError /
    http.client.HTTPException like the boto3 client raises its errors."""

    def __init__(self, client: Any, credentials: Any, timeout: float = 30.0) -> None:
        meta = client.meta
        self.url = meta.endpoint_url.rstrip("/")
        parts = urlsplit(self.url)
        self._secure = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        default = 443 if self._secure else 80
        self._host_header = parts.netloc if parts.port not in (None, default) else self._host
        self._base_path = parts.path.rstrip("/")
        self._credentials = credentials
        self._signing_name = meta.service_model.signing_name or "ses"
        self._region = meta.region_name
        self._output_shape = meta.service_model.operation_model("SendEmail").output_shape
        self._parser = create_parser("rest-json")
        self._timeout = timeout
        self._local = _Connection()
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
        fields: dict[str, Any] = {
            "FromEmailAddress": sender,
            "Destination": {"ToAddresses": [recipient]},
        }
        if tags:
            fields["EmailTags"] = [{"Name": k, "Value": v} for k, v in tags.items()]
        if configuration_set:
            fields["ConfigurationSetName"] = configuration_set
        body = b"".join(
            (
                json.dumps(fields)[:-1].encode("utf-8"),
                b', "Content": {"Raw": {"Data": "',
                raw.base64() if isinstance(raw, RawMessage) else base64.b64encode(raw),
                b'"}}}',
            )
        )
        headers = self._signed_headers(body)
        status, reply_headers, reply = self._post(body, headers)
        if status == 200:
            return str(json.loads(reply)["MessageId"])
        parsed = self._parser.parse(
            {"status_code": status, "headers": HeadersDict(reply_headers), "body": reply},
            self._output_shape,
        )
        raise ClientError(parsed, "SendEmail")

    def _signed_headers(self, body: bytes) -> dict[str, str]:
        request = AWSRequest(
            method="POST",
            url=f"{self.url}{SEND_PATH}",
            data=body,
            headers={"Host": self._host_header, "Content-Type": "application/json"},
        )
        frozen = self._credentials.get_frozen_credentials()  # refreshes temporary keys
        SigV4Auth(frozen, self._signing_name, self._region).add_auth(request)
        return dict(request.headers.items())

    def _post(
        self, body: bytes, headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = self._connection()
        try:
            connection.request("POST", f"{self._base_path}{SEND_PATH}", body=body, headers=headers)
            response = connection.getresponse()
            reply = response.read()
        except BaseException:
            connection.close()  # a broken connection is never reused
            self._local.connection = None
            raise
        if response.will_close:
            connection.close()
            self._local.connection = None
        self._local.used = time.monotonic()
        return response.status, response.getheaders(), reply

    def _connection(self) -> http.client.HTTPConnection:
        local = self._local
        if local.connection is not None and time.monotonic() - local.used > IDLE_SECONDS:
            local.connection.close()
            local.connection = None
        if local.connection is None:
            connection: http.client.HTTPConnection
            if self._secure:
                connection = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout, context=self._tls
                )
            else:
                connection = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout
                )
            connection.connect()
            # headers and body leave in two writes: without NODELAY the body's last segment
            # waits for the server's delayed ACK (~40 ms a message), as urllib3 knows too
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            local.connection = connection
            with self._lock:
                self._all.append(connection)
        return local.connection

    def close(self) -> None:
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()


def _ca_bundle() -> str | None:
    """The CA bundle botocore would verify against (AWS_CA_BUNDLE wins, as in botocore)."""
    return os.environ.get("AWS_CA_BUNDLE") or get_cert_path(True) or None
