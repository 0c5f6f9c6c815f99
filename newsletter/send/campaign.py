"""Deliver one edition to every active subscriber exactly once, resumably, at the quota's pace.

A campaign (1) writes a `pending` row per active subscriber into the send log
(idempotent: a re-run adds only newcomers), (2) reads the provider's limits,
(3) runs the worker pool over the pending rows at most at the allowed rate and
never past the 24-hour quota. Each row moves pending → claimed → sending → sent
in the database, so a re-run after a crash — or a second `daily` — skips everyone
already served; rows a dead process had only claimed are sent by the next run,
and rows it left in `sending` are reported, not resent. Rows of another send
process that is still running are its business (see `leases`), and the rate is
shared with it. Any early stop (paused account, quota used up, Ctrl-C, SIGTERM,
the scheduler stopping) hands unsent rows back to `pending` and says so in one line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from sqlalchemy import Engine

from newsletter.audience.tokens import UnsubscribeTokens, unsubscribe_token
from newsletter.config import Identity, SenderSettings
from newsletter.model import Edition
from newsletter.send.delivery import Delivery, Stop
from newsletter.send.leases import Lease, ambiguity, recover, release_ambiguous
from newsletter.send.message import MessageTemplate
from newsletter.send.pool import PoolResult, PoolShape, run_pool
from newsletter.send.ratelimit import RateLimiter
from newsletter.send.retry import RetryPolicy
from newsletter.send.sendlog import Outcome, SendLog
from newsletter.send.transports.base import (
    AccountError,
    QuotaUnavailable,
    SendQuota,
    TransientError,
    Transport,
)

T = TypeVar("T")
#: What `send` and `daily` say when the edition found nobody to go to.
NO_ACTIVE_SUBSCRIBERS = "no active subscribers: nothing sent"


class Progress(Protocol):
    """What the CLI's progress bar needs; the campaign calls it from one thread."""

    def start(self, total: int) -> None: ...

    def advance(self, done: int) -> None: ...


@dataclass
class CampaignSummary:
    edition: str
    enqueued: int = 0
    recipients: int = 0  # rows of this edition in the send log: everyone it was ever for
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    ambiguous: int = 0  # rows a dead process left `sending`: it died mid-send
    elsewhere: int = 0  # rows claimed or sending by other live send processes, at the end
    recovered: int = 0  # rows a dead process had claimed, pending again
    already_sent: int = 0
    pending: int = 0  # rows still pending at the end (stopped early, or quota reached)
    retries: int = 0
    seconds: float = 0.0
    rate: float | None = None  # the pace used, messages/s (None: unlimited)
    budget: int | None = None  # messages the 24-hour quota allowed this run
    quota_source: str = ""
    stopped: str = ""
    failures: list[tuple[str, str]] = field(default_factory=list)  # some (email, error)

    @property
    def no_recipients(self) -> bool:
        """Nobody was active when the edition was sent: not even a row to skip."""
        return self.recipients == 0 and not self.stopped

    @property
    def nothing_to_do(self) -> bool:
        return self.sent == 0 and self.failed == 0 and self.skipped == 0 and not self.stopped

    @property
    def messages_per_second(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else 0.0


class CampaignStopped(Exception):
    """The campaign stopped early; unsent rows are pending again. The message is one line.

    `kind` says why, for whoever advises the user what to do next: `not-started`
    (the account or its limits could not be read; nothing was claimed), `quota`
    (the 24-hour quota is used up) or `stopped` (interrupted, or the account
    refused to go on).
    """

    def __init__(self, message: str, summary: CampaignSummary, kind: str) -> None:
        super().__init__(message)
        self.summary = summary
        self.kind = kind


@dataclass(frozen=True)
class CampaignSetup:
    """What a campaign, a dry run and a test copy use besides the edition; the edge builds
    it once (`Runtime.campaign`) from the pieces it already holds."""

    engine: Engine  # the send log, the leases and the subscribers
    identity: Identity  # From, Reply-To, List-Id and where unsubscribe links point
    sender: SenderSettings  # the configured rate and quota, over the account's figures
    threads: int  # sending threads: one per SMTP connection, else `sender.workers`
    secret: str  # signs the unsubscribe links
    transport: Callable[[date], Transport]  # a new transport for the campaign of a day


def message_template(identity: Identity, edition: Edition) -> MessageTemplate:
    return MessageTemplate(
        edition,
        sender=identity.sender,
        list_id=identity.list_id,
        list_name=identity.name,
        reply_to=identity.reply_to,
        unsubscribe_mailbox=identity.unsubscribe_mailbox,
    )


def unsubscribe_url(identity: Identity, secret: str, subscriber_id: int) -> str:
    token = unsubscribe_token(secret, subscriber_id, identity.list_id)
    return f"{identity.public_url}/u/{token}"


def unsubscribe_urls(identity: Identity, secret: str) -> Callable[[int], str]:
    """`unsubscribe_url` for the many subscribers of one campaign (the signing set up once)."""
    tokens = UnsubscribeTokens(secret, identity.list_id)
    prefix = f"{identity.public_url}/u/"
    return lambda subscriber_id: prefix + tokens(subscriber_id)


def campaign_limits(
    configured: SenderSettings, transport: Transport, policy: RetryPolicy
) -> tuple[float | None, int | None, str]:
    """(messages/s, messages this run may send, where the figures came from).

    `sender.max_rate` and `sender.daily_quota` override the account's figures; the
    account's count of messages sent in the last 24 hours still applies. When the
    quota cannot be read but both are configured, the configured figures are used.
    """
    try:
        quota = _with_retries(transport.quota, policy)
    except QuotaUnavailable as exc:
        if not (configured.max_rate and configured.daily_quota):
            raise
        quota = SendQuota(None, None, source=f"config (quota unreadable: {exc})")
    rate = configured.max_rate or quota.max_rate
    maximum = configured.daily_quota or quota.max_24h
    budget = None if maximum is None else max(maximum - quota.sent_24h, 0)
    source = quota.source
    if configured.max_rate or configured.daily_quota:
        source += "; overridden by config"
    return rate, budget, source


def run_campaign(
    setup: CampaignSetup,
    day: date,
    edition: Edition,
    *,
    transport: Transport | None = None,
    resend_ambiguous: bool = False,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    cancel: threading.Event | None = None,
) -> CampaignSummary:
    """Send `edition` to every active subscriber not yet served; safe to call again.

    Raises CampaignStopped (with the summary) when it stops before the end. Signals
    belong to the caller: it sets `cancel` (on SIGTERM, say) to stop the campaign at
    a batch boundary; a KeyboardInterrupt in the main thread stops it the same way.
    """
    policy = policy or RetryPolicy()
    key = day.isoformat()
    summary = CampaignSummary(edition=key)
    identity, secret = setup.identity, setup.secret
    template = message_template(identity, edition)
    log = SendLog(setup.engine, key)

    summary.recovered = recover(log)
    summary.ambiguous, summary.elsewhere = ambiguity(log)
    if resend_ambiguous and summary.ambiguous:
        release_ambiguous(log)
        summary.ambiguous = 0
    summary.enqueued = log.enqueue()
    counts = log.counts()
    summary.already_sent = counts["sent"]
    summary.recipients = sum(counts.values())
    if counts["pending"] == 0:
        return summary

    owned = transport is None
    transport = transport or setup.transport(day)
    started = time.monotonic()
    stop = Stop(cancel=cancel)
    try:
        try:
            rate, budget, summary.quota_source = campaign_limits(setup.sender, transport, policy)
        except (AccountError, TransientError) as exc:  # nothing claimed yet: nothing to undo
            summary.pending, summary.stopped = counts["pending"], str(exc)
            raise CampaignStopped(
                f"campaign not started, nothing sent: {exc}", summary, "not-started"
            ) from None
        summary.rate, summary.budget = rate, budget
        limiter = RateLimiter(rate)
        deliver = Delivery(
            template=template,
            transport=transport,
            limiter=limiter,
            stop=stop,
            unsubscribe_url=unsubscribe_urls(identity, secret),
            tags={"edition": key},
            policy=policy,
        )
        if progress is not None:
            progress.start(counts["pending"] if budget is None else min(counts["pending"], budget))

        def record(outcomes: list[Outcome]) -> None:
            for outcome in outcomes:
                if outcome.state in ("sent", "failed", "skipped"):
                    setattr(summary, outcome.state, getattr(summary, outcome.state) + 1)
            if progress is not None:
                progress.advance(sum(1 for o in outcomes if o.state != "pending"))

        result = PoolResult()
        with Lease(log.engine, key, rate, on_share=limiter.set_rate) as lease:
            try:
                lease.settle(stop.is_set)
            except KeyboardInterrupt:
                stop.set("interrupted")
            if not stop.is_set():
                result = run_pool(
                    log,
                    deliver,
                    owner=lease.owner,
                    shape=PoolShape.for_rate(setup.threads, lease.share),
                    stop=stop,
                    budget=budget,
                    on_outcomes=record,
                    recover=lambda: recover(log),
                )
        summary.retries = deliver.retries
    finally:
        summary.seconds = time.monotonic() - started
        if owned:
            transport.close()
    summary.pending = log.counts()["pending"]
    summary.ambiguous, summary.elsewhere = ambiguity(log)
    if summary.failed:
        summary.failures = log.failures()
    if stop.is_set():
        summary.stopped = stop.reason
        raise CampaignStopped(_stopped_line(summary, stop), summary, "stopped")
    if result.budget_exhausted and summary.pending:
        summary.stopped = "24-hour quota reached"
        raise CampaignStopped(
            f"the 24-hour sending quota is reached ({summary.sent} sent now, "
            f"{summary.pending} stay pending, nothing lost)",
            summary,
            "quota",
        )
    return summary


def _stopped_line(summary: CampaignSummary, stop: Stop) -> str:
    what = "interrupted" if stop.reason == "interrupted" else f"stopped: {stop.reason}"
    return f"campaign {what} ({summary.sent} sent, {summary.pending} stay pending, nothing lost)"


def _with_retries(call: Callable[[], T], policy: RetryPolicy) -> T:
    """`call()`, retrying transient failures like a send would."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return call()
        except TransientError:
            if attempt == policy.attempts:
                raise
            time.sleep(policy.delay(attempt))
    raise AssertionError("unreachable")
