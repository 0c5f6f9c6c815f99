"""The transport interface: hand one finished message to something that delivers it.

The campaign decides who gets what and when; a transport only delivers bytes
and classifies failure, because the campaign's reaction depends on the class:
retry (transient), give up on this recipient (permanent), or stop everything
(account-level, e.g. sending paused) so that nothing is lost. A transport also
says how fast and how much it may send (`quota`), so that the campaign can stay
inside the provider's limits instead of learning them from rejections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class DeliveryError(Exception):
    """Base of the failures a transport reports."""


class TransientError(DeliveryError):
    """Throttling, a 5xx, a dropped connection: the same message may succeed later."""


class PermanentError(DeliveryError):
    """This recipient cannot get this message (rejected, bad address): do not retry."""


class AmbiguousError(DeliveryError):
    """The connection dropped after the whole message went out, before the provider confirmed
    it: it may have been delivered. Not retried; reported like the rows a crash leaves."""


class AccountError(DeliveryError):
    """Nothing can be sent (paused account, unverified sender, bad credentials): stop now."""


class QuotaUnavailable(AccountError):
    """The limits cannot be read (e.g. no permission for it); configured limits may stand in."""


@dataclass(frozen=True)
class SendQuota:
    """The provider's limits as it reports them; None means no limit of that kind."""

    max_rate: float | None  # messages per second
    max_24h: int | None  # messages per rolling 24 hours
    sent_24h: int = 0  # already used of max_24h
    source: str = ""  # where the figures came from, for the report

    @property
    def remaining_24h(self) -> int | None:
        if self.max_24h is None:
            return None
        return max(self.max_24h - self.sent_24h, 0)


class Transport(Protocol):
    """Delivers raw RFC 5322 messages; returns the provider's message id."""

    name: str

    def send(self, raw: bytes, *, recipient: str, tags: dict[str, str]) -> str: ...

    def quota(self) -> SendQuota:
        """The current limits; AccountError when they cannot be read or sending is off."""
        ...

    def close(self) -> None: ...
