"""One claimed row → one outcome: build the message, wait for the pace, send, retry.

This runs in the worker threads. It never touches the database (the pool's main
thread records outcomes in batches) and it never raises: every way a delivery
can end is an `Outcome`, and an account-level failure also sets the shared stop
event, so the other workers hand their rows back untouched instead of sending.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from newsletter.send.message import HeaderInjection, MessageTemplate, Recipient, UnsupportedAddress
from newsletter.send.ratelimit import RateLimiter
from newsletter.send.retry import RetryPolicy
from newsletter.send.sendlog import Claimed, Outcome
from newsletter.send.transports.base import (
    AccountError,
    AmbiguousError,
    DeliveryError,
    PermanentError,
    TransientError,
    Transport,
)

#: Ambiguous outcomes in a row, none confirmed between, after which the campaign stops.
UNANSWERED_IN_A_ROW = 10


@dataclass
class Stop:
    """Shared between the workers and the pool: why the campaign stops early, if it does."""

    event: threading.Event = field(default_factory=threading.Event)
    reason: str = ""
    account: bool = False
    crash: BaseException | None = None
    cancel: threading.Event | None = None  # set from outside (the scheduler's SIGTERM)

    def set(self, reason: str, *, account: bool = False) -> None:
        if not self.event.is_set():
            self.reason, self.account = reason, account
        self.event.set()

    def is_set(self) -> bool:
        if self.cancel is not None and self.cancel.is_set() and not self.event.is_set():
            self.set("interrupted")
        return self.event.is_set()


@dataclass
class Delivery:
    template: MessageTemplate
    transport: Transport
    limiter: RateLimiter
    stop: Stop
    unsubscribe_url: Callable[[int], str]
    tags: dict[str, str]
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    retries: int = 0  # transient failures retried, for the summary
    unanswered: int = 0  # ambiguous outcomes since the last message the provider confirmed
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, row: Claimed) -> Outcome:
        if self.stop.is_set():
            return Outcome(row.row_id, "pending")
        try:
            raw = self.template.build(
                Recipient(row.email, row.name, self.unsubscribe_url(row.subscriber_id))
            )
        except (HeaderInjection, UnsupportedAddress) as exc:
            return Outcome(row.row_id, "failed", error=str(exc))
        last: DeliveryError | None = None
        for attempt in range(1, self.policy.attempts + 1):
            if attempt > 1:
                with self._lock:
                    self.retries += 1
                if self.stop.event.wait(self.policy.delay(attempt - 1, self._rng)):
                    return Outcome(row.row_id, "pending", error=str(last), attempts=attempt - 1)
            self.limiter.acquire()
            try:
                message_id = self.transport.send(raw, recipient=row.email, tags=self.tags)
            except TransientError as exc:
                last = exc
                continue
            except PermanentError as exc:
                return Outcome(row.row_id, "failed", error=str(exc), attempts=attempt)
            except AmbiguousError as exc:  # stays `sending`: reported, resent only on request
                self._unanswered(exc)
                return Outcome(row.row_id, "sending", error=str(exc), attempts=attempt)
            except AccountError as exc:
                self.stop.set(str(exc), account=True)
                return Outcome(row.row_id, "pending", error=str(exc), attempts=attempt)
            if self.unanswered:
                with self._lock:
                    self.unanswered = 0
            error = f"retried after: {last}" if last else ""
            return Outcome(row.row_id, "sent", message_id, error, attempts=attempt)
        return Outcome(
            row.row_id,
            "failed",
            error=f"gave up after {self.policy.attempts} attempts: {last}",
            attempts=self.policy.attempts,
        )

    def _unanswered(self, exc: AmbiguousError) -> None:
        """Stop after `UNANSWERED_IN_A_ROW` ambiguous outcomes with no confirmed one between:
        an endpoint that takes messages and never answers would otherwise leave the whole
        list in doubt, where stopping leaves the rest pending for a later run."""
        with self._lock:
            self.unanswered += 1
            if self.unanswered < UNANSWERED_IN_A_ROW:
                return
        self.stop.set(
            f"{UNANSWERED_IN_A_ROW} messages in a row went out and were never confirmed "
            f"(last: {exc}); stopped so that no more are left in doubt"
        )
