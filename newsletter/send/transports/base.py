"""The transport interface: hand one finished message to something that delivers it.

The campaign decides who gets what and when; a transport only delivers bytes
and classifies failure, because the campaign's reaction depends on the class:
retry (transient), give up on this recipient (permanent), or stop everything
(account-level, e.g. sending paused) so that nothing is lost.
"""

from __future__ import annotations

from typing import Protocol


class DeliveryError(Exception):
    """Base of the failures a transport reports."""


class TransientError(DeliveryError):
    """Throttling, a 5xx, a dropped connection: the same message may succeed later."""


class PermanentError(DeliveryError):
    """This recipient cannot get this message (rejected, bad address): do not retry."""


class AccountError(DeliveryError):
    """Nothing can be sent (paused account, unverified sender, bad credentials): stop now."""


class Transport(Protocol):
    """Delivers raw RFC 5322 messages; returns the provider's message id."""

    name: str

    def send(self, raw: bytes, *, recipient: str, tags: dict[str, str]) -> str: ...

    def close(self) -> None: ...
