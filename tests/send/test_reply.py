"""The lean reply reader reads what http.client reads, and fails where it fails."""

from __future__ import annotations

import http.client
import socket

import pytest

from newsletter.send.transports.reply import Reply, ReplyReader

REPLIES = {
    "length": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b'x-amzn-RequestId: r1\r\nContent-Length: 24\r\n\r\n{"MessageId":"stub-123"}',
    "chunked": b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n"
    b"x-amzn-ErrorType: MessageRejected:\r\n\r\n"
    b'5\r\n{"mes\r\n13\r\nsage":"Illegal ad"}\r\n0\r\n\r\n',
    "close": b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
    b"Content-Length: 2\r\n\r\n{}",
    "http/1.0": b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    "to the end": b"HTTP/1.0 500 Internal Server Error\r\n\r\nall of it",
    "continue first": b"HTTP/1.1 100 Continue\r\n\r\n"
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    "no body": b"HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n",
}


def served(data: bytes) -> socket.socket:
    """The client's end of a connection on which `data` was answered and then closed."""
    ours, theirs = socket.socketpair()
    theirs.sendall(data)
    theirs.close()
    return ours


def http_client_reads(data: bytes) -> Reply:
    with served(data) as sock:
        response = http.client.HTTPResponse(sock, method="POST")
        response.begin()
        body = response.read()
        return Reply(response.status, response.getheaders(), body, bool(response.will_close))


@pytest.mark.parametrize("name", list(REPLIES))
def test_a_reply_reads_as_http_client_reads_it(name: str) -> None:
    with served(REPLIES[name]) as sock:
        assert ReplyReader(sock).read() == http_client_reads(REPLIES[name])


def test_replies_follow_each_other_on_a_kept_alive_connection() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        reader = ReplyReader(ours)
        for name in ("length", "chunked", "no body", "length"):
            theirs.sendall(REPLIES[name])  # one request, one reply: never pipelined
            assert reader.read() == http_client_reads(REPLIES[name])


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", http.client.RemoteDisconnected),  # a stale kept-alive connection
        (b'HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\n{"Mess', http.client.IncompleteRead),
        # http.client takes this for a 200 without a body; a reply cut short is retried here
        (b"HTTP/1.1 200 OK\r\nContent-Le", http.client.IncompleteRead),
        (b"HTTP/1.1 2", http.client.IncompleteRead),
        (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", http.client.HTTPException),
    ],
)
def test_a_connection_that_ends_early_or_speaks_no_http_fails_as_in_http_client(
    data: bytes, error: type[Exception]
) -> None:
    """The transport retries these (OSError / HTTPException): they must not be anything else."""
    with served(data) as sock, pytest.raises(error):
        ReplyReader(sock).read()
    assert issubclass(error, http.client.HTTPException)
