"""A minimal SES v2 endpoint for benchmarks: answers at once, so the client is what is measured.

`python bench/ses_stub.py PORT` serves, on 127.0.0.1, keep-alive HTTP/1.1 on
asyncio: `POST /v2/email/outbound-emails` (SendEmail) → a fresh message id,
`GET /v2/email/account` (GetAccount) → sending enabled with no practical limits.
It checks nothing (no signature, no identities): moto server is the realistic one.
"""

from __future__ import annotations

import asyncio
import json
import sys


def serve_stub(port: int) -> None:
    """SES v2 on asyncio: SendEmail → a message id, GetAccount → generous limits."""
    account = json.dumps(
        {
            "SendingEnabled": True,
            "SendQuota": {"Max24HourSend": -1, "MaxSendRate": 100000, "SentLast24Hours": 0},
        }
    ).encode()
    count = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await reader.readexactly(length)
                if head.startswith(b"GET /v2/email/account"):
                    body = account
                else:
                    count += 1
                    body = b'{"MessageId":"stub-%d"}' % count
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"x-amzn-RequestId: stub\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                )
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=512)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


if __name__ == "__main__":
    serve_stub(int(sys.argv[1]))
