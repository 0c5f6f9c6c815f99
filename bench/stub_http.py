"""Keep-alive HTTP/1.1 on 127.0.0.1 for the benches' stand-in endpoints (SES, SQS).

Each request is read whole (head, then `Content-Length` bytes of body) and answered
with what `answer` makes of it: no parsing beyond that, so the endpoint costs the
benchmark's client as little as possible.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable

#: (head, body) → (status such as b"200 OK", content type, body)
Answer = Callable[[bytes, bytes], Awaitable[tuple[bytes, bytes, bytes]]]


def header(head: bytes, name: bytes) -> bytes:
    """The value of header `name` (lower case) in a request head, or b""."""
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return b""


def serve(port: int, answer: Answer, tls: ssl.SSLContext | None = None) -> None:
    """Serve until the process is ended (over TLS with `tls`)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(header(head, b"content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                status, content_type, content = await answer(head, body)
                writer.write(
                    b"HTTP/1.1 %s\r\nContent-Type: %s\r\nx-amzn-RequestId: stub\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (status, content_type, len(content), content)
                )
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=512, ssl=tls)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
