"""Which addresses our fetches may connect to: public ones, unless the config says more.

Feed URLs and article links come from strangers, and so do their redirects. A
feed redirecting to `http://127.0.0.1:8080/admin` or to the cloud metadata
address `169.254.169.254` would otherwise make the collector read a page from
inside our own network and put it in the edition. So every connection — the
first hop and each redirect, feeds and article pages alike — is checked on the
*address it connects to*: the host name is resolved here, each address is
checked, and the socket is opened to the checked address itself. Checking the
name and then letting the HTTP library resolve it again would let a DNS answer
that changes between the two (rebinding) through.

Refused by default: loopback, private (RFC 1918, unique-local fc00::/7),
link-local, shared (100.64/10), multicast, reserved and unspecified ranges —
everything Python's `ipaddress` does not call global, plus multicast.
`[collect] allow_private_networks = true` allows all of them (a self-hosted feed
on the LAN, the tests, the demo), or a list of networks allows just those.

The check sits in httpcore's network backend (the layer that opens sockets), so
TLS still verifies the certificate against the URL's host name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOW_HINT = "set [collect] allow_private_networks to fetch from it"


class BlockedAddress(Exception):
    """A connection the policy refused; the message is the feed's one-line reason."""


@dataclass(frozen=True)
class NetworkPolicy:
    """`allow_all`: any address; otherwise public addresses plus `allowed` networks."""

    allow_all: bool = False
    allowed: tuple[Network, ...] = ()

    @classmethod
    def from_setting(cls, value: bool | list[str]) -> NetworkPolicy:
        """From `[collect] allow_private_networks` (true/false or a list of CIDRs, checked
        by the config loader)."""
        if isinstance(value, bool):
            return cls(allow_all=value)
        return cls(allowed=tuple(ipaddress.ip_network(cidr, strict=False) for cidr in value))

    def refusal(self, address: Address) -> str:
        """Why a connection to `address` is refused ("" when it is allowed)."""
        if self.allow_all:
            return ""
        mapped = getattr(address, "ipv4_mapped", None)
        plain: Address = mapped if mapped is not None else address
        if plain.is_global and not plain.is_multicast:
            return ""
        if any(plain.version == net.version and plain in net for net in self.allowed):
            return ""
        return f"a {kind_of(plain)} address"


def kind_of(address: Address) -> str:
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    return "non-public"


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses the policy allows (resolving names itself)."""

    def __init__(self, policy: NetworkPolicy, inner: httpcore.AsyncNetworkBackend) -> None:
        self.policy = policy
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await _resolve(host, port, timeout)
        allowed: list[tuple[Address, str]] = []
        refused: list[tuple[Address, str]] = []
        for address in addresses:
            why = self.policy.refusal(address)
            (refused if why else allowed).append((address, why))
        if not allowed:
            address, why = refused[0]
            shown = host if host == str(address) else f"{host} ({address})"
            raise BlockedAddress(f"refused to connect to {shown}: {why}; {ALLOW_HINT}")
        error: Exception | None = None
        for address, _ in allowed:  # like the inner backend: the first that answers
            try:
                return await self.inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("refused: Unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


async def _resolve(host: str, port: int, timeout: float | None) -> list[Address]:
    host = host.strip("[]")
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"DNS: timed out resolving {host}") from None
    except OSError as exc:
        raise httpcore.ConnectError(f"[Errno -2] Name or service not known: {exc}") from None
    found: list[Address] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def guarded_transport(
    policy: NetworkPolicy, *, verify: Any, limits: httpx.Limits
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through the policy.

    httpx does not take a network backend, so the pool's is wrapped after the fact
    (`tests/collect/test_collect_network.py` fails if a new httpcore moves it)."""
    transport = httpx.AsyncHTTPTransport(verify=verify, limits=limits)
    pool: Any = transport._pool
    pool._network_backend = GuardedBackend(policy, pool._network_backend)
    return transport
