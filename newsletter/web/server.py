"""Running an ASGI app under uvicorn: on a socket we bind ourselves, foreground or in a thread.

Binding the socket before uvicorn starts turns "port already in use" into one
clear line for the user (uvicorn would log and `sys.exit`), lets `--port 0` pick
a free port that we can then print, and lets a test or benchmark know the URL
before the first request. uvicorn is imported here, never by `newsletter.cli`.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


class BindError(OSError):
    """The address could not be bound; the message names it and says why."""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port); port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio sets TCP_NODELAY on accepted connections only when it
    # does, and without it every response written in two parts waits ~40 ms for the
    # client's delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise BindError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _config(app: Any, **options: Any) -> Any:
    # Our own middleware writes the structured access log; uvicorn's would duplicate it.
    defaults: dict[str, Any] = {
        "access_log": False,
        "log_level": "warning",
        "lifespan": "off",
        "server_header": False,
    }
    defaults.update(options)
    return uvicorn.Config(app, **defaults)


def serve_forever(
    app: Any, sock: socket.socket, *, on_ready: Callable[[], None] | None = None, **options: Any
) -> None:
    """Serve until Ctrl-C / SIGTERM (uvicorn's graceful shutdown)."""
    server = uvicorn.Server(_config(app, **options))

    async def run() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if server.started and on_ready is not None:
            on_ready()
        await task

    asyncio.run(run())


@contextmanager
def running(app: Any, sock: socket.socket, **options: Any) -> Iterator[str]:
    """The app served from a background thread while the block runs; yields its base URL."""
    server = uvicorn.Server(_config(app, **options))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
