"""Binding the listening socket ourselves: clear errors, and TCP_NODELAY on connections."""

from __future__ import annotations

import socket

import pytest

from newsletter.web.server import BindError, bind, url_of


def test_bound_socket_is_tcp_so_responses_are_not_delayed() -> None:
    """asyncio sets TCP_NODELAY on accepted connections only for IPPROTO_TCP sockets;
    without it a response written in two parts waited ~40 ms for a delayed ACK."""
    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        client = socket.create_connection(sock.getsockname())
        accepted, _ = sock.accept()
        assert accepted.proto == socket.IPPROTO_TCP
        accepted.close()
        client.close()
    finally:
        sock.close()


def test_port_in_use_is_one_clear_error() -> None:
    first = bind("127.0.0.1", 0)
    try:
        port = first.getsockname()[1]
        assert url_of(first) == f"http://127.0.0.1:{port}"
        with pytest.raises(BindError, match=f"cannot listen on 127.0.0.1:{port}"):
            bind("127.0.0.1", port)
    finally:
        first.close()
