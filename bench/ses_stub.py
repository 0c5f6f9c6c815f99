"""A minimal SES v2 endpoint for benchmarks: answers at once, so the client is what is measured.

`python bench/ses_stub.py PORT [CERT KEY]` serves, on 127.0.0.1, keep-alive HTTP/1.1
on asyncio (over TLS with a certificate and its key, as SES is reached in production):
`POST /v2/email/outbound-emails` (SendEmail) → a fresh message id,
`GET /v2/email/account` (GetAccount) → sending enabled with no practical limits.
It checks nothing (no signature, no identities): moto server is the realistic one.
"""

from __future__ import annotations

import json
import ssl
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stub_http import serve


def serve_stub(port: int, tls: ssl.SSLContext | None = None) -> None:
    """SES v2 on asyncio: SendEmail → a message id, GetAccount → generous limits."""
    account = json.dumps(
        {
            "SendingEnabled": True,
            "SendQuota": {"Max24HourSend": -1, "MaxSendRate": 100000, "SentLast24Hours": 0},
        }
    ).encode()
    count = 0

    async def answer(head: bytes, _body: bytes) -> tuple[bytes, bytes, bytes]:
        nonlocal count
        if head.startswith(b"GET /v2/email/account"):
            return b"200 OK", b"application/json", account
        count += 1
        return b"200 OK", b"application/json", b'{"MessageId":"stub-%d"}' % count

    serve(port, answer, tls)


if __name__ == "__main__":
    context = None
    if len(sys.argv) == 4:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
    serve_stub(int(sys.argv[1]), context)
