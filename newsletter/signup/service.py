"""The rules of signing up by double opt-in, shared by the web app and `subscribers add --confirm`.

Asking (`prepare` then `deliver`):
- an active subscriber gets nothing (nothing to confirm; the page says so in
  words that fit every case);
- a new address becomes `pending` (never sent the newsletter) and gets a link;
- a pending or suppressed (unsubscribed, bounced, complained) one keeps its
  status and gets a link: only pressing it brings them back;
- a forgotten address is not stored at all: the link carries the address (and
  name) and the subscriber is created only when the person confirms. The
  operator cannot invite a forgotten person (`REFUSED`): only they can come back;
- every mail counts against the per-address limits, checked before anything is
  written; they count per mailbox (no `+tag`, no dots at Gmail), the address is
  stored as typed.
`prepare` touches only the database and `deliver` only the transport, so the web
app runs them on different threads (a slow SES call never holds SQLite's writer).

Confirming (`confirm`) activates only if nothing changed since the link was made
(see `tokens`), and records the proof of consent in the event's detail; the
caller then sends the welcome mail (`welcome`) for an ACTIVATED outcome only.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from newsletter.audience.addresses import (
    InvalidAddress,
    clean_name,
    mailbox_key,
    parse_address,
)
from newsletter.audience.records import Subscriber
from newsletter.audience.store import SubscriberStore
from newsletter.audience.tokens import (
    ConfirmClaims,
    confirmation_token,
    read_confirmation_token,
    stamp_of,
)
from newsletter.config import Identity, NewsletterSettings, SignupSettings
from newsletter.send.campaign import unsubscribe_url
from newsletter.send.message import ascii_address
from newsletter.send.transports.base import Transport
from newsletter.signup.limits import DAY, HOUR, Limiter, SignupLimits, limit_key, network_of
from newsletter.signup.mail import Confirmation, confirmation_message
from newsletter.signup.welcome import LatestEdition, welcome_message

log = logging.getLogger("newsletter.web.signup")
Clock = Callable[[], datetime]

SENT = "sent"
ALREADY_ACTIVE = "already-active"
THROTTLED = "throttled"
REFUSED = "refused"

ACTIVATED = "activated"
ALREADY = "already"
STALE = "stale"

_AGENT_MAX = 300


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Origin:
    """Who asked or confirmed: kept as proof of consent."""

    ip: str = ""
    user_agent: str = ""
    via: str = "web"  # web | cli


@dataclass(frozen=True)
class Prepared:
    outcome: str
    recipient: str = ""
    raw: bytes = b""
    status: str = ""  # the subscriber's status when asked ("" when none is stored)


class SignupService:
    """The rules, bound to one list (`identity`, and the `[newsletter]` facts its mails
    state), its store, the signing key, the limits and a transport per day."""

    def __init__(
        self,
        identity: Identity,
        newsletter: NewsletterSettings,
        store: SubscriberStore,
        secret: str,
        *,
        limits: SignupLimits,
        transport_factory: Callable[[date], Transport],
        clock: Clock = utc_now,
        latest_edition: Callable[[], LatestEdition | None] | None = None,
    ) -> None:
        self.identity = identity
        self.newsletter = newsletter
        self.zone = ZoneInfo(newsletter.timezone)
        self.store = store
        self.secret = secret
        self.limits = limits
        self.clock = clock
        self.limiter = Limiter(store.engine)
        self._factory = transport_factory
        self.latest_edition = latest_edition or (lambda: None)
        self._transport: tuple[date, Transport] | None = None
        self._lock = threading.Lock()

    # -- asking ------------------------------------------------------------------

    def allow_ip(self, ip: str) -> bool:
        """Count one signup POST from `ip`'s network; False when it is over the hourly cap."""
        key = limit_key(self.secret, "ip", network_of(ip))
        return self.limiter.allow(key, self.now(), cap=self.limits.ip_per_hour, window=HOUR)

    def prepare(self, email: str, name: str, *, source: str, origin: Origin) -> Prepared:
        """Decide and write; the message to deliver when one is due. `InvalidAddress` for
        an address the form should have refused."""
        address = parse_address(email)
        name = clean_name(name)
        now = self.now()
        subscriber = self.store.get(address.email)
        if subscriber is not None and subscriber.status == "active":
            return Prepared(ALREADY_ACTIVE, status="active")
        forgotten = None if subscriber else self.store.forgotten_at(address.email)
        if forgotten and source != "signup":
            return Prepared(REFUSED)
        # counted per mailbox: `ana+1@`, `ana+2@` (and `a.na@gmail.com`) reach one inbox
        key = limit_key(self.secret, "address", mailbox_key(address.key))
        limits = self.limits
        allowed = self.limiter.allow(
            key, now, cap=limits.address_per_day, window=DAY, interval=limits.address_interval
        )
        if not allowed:
            return Prepared(THROTTLED, status=subscriber.status if subscriber else "")
        if subscriber is None and not forgotten:
            subscriber, _ = self.store.add(
                address.email,
                name,
                source=source,
                status="pending",
                detail=_consent_detail(origin, requested=now),
            )
            if subscriber.status == "active":  # somebody confirmed in between
                return Prepared(ALREADY_ACTIVE, status="active")
        if subscriber is None:
            assert forgotten is not None
            stamp, email_in_link, name_in_link = stamp_of(forgotten), address.email, name
        else:
            stamp, email_in_link, name_in_link = stamp_of(subscriber.updated), subscriber.email, ""
        token = confirmation_token(
            self.secret,
            self.identity.list_id,
            email_in_link,
            stamp=stamp,
            name=name_in_link,
            clock=lambda: now.timestamp(),
        )
        confirmation = Confirmation(
            email=email_in_link,
            url=f"{self.identity.public_url}/confirm/{token}",
            expires=now + limits.confirm_max_age,
        )
        raw = confirmation_message(self.identity, self.newsletter, confirmation, now)
        return Prepared(
            SENT,
            recipient=ascii_address(address.email),  # an IDN domain as punycode, as in To
            raw=raw,
            status=subscriber.status if subscriber else "",
        )

    def deliver(self, prepared: Prepared) -> str:
        """Hand the confirmation to the configured transport; the provider's message id."""
        if prepared.outcome != SENT:
            return ""
        transport = self._transport_for(self.now().astimezone(self.zone).date())
        return transport.send(
            prepared.raw, recipient=prepared.recipient, tags={"kind": "confirmation"}
        )

    # -- confirming --------------------------------------------------------------

    def read(self, token: str) -> ConfirmClaims:
        """The claims of a link; `TokenExpired` / `TokenError` otherwise (no database)."""
        return read_confirmation_token(
            self.secret,
            token,
            self.identity.list_id,
            max_age=self.limits.confirm_max_age,
            clock=lambda: self.now().timestamp(),
        )

    def standing(self, claims: ConfirmClaims) -> str:
        """What pressing the link's button would answer, without pressing it: ALREADY,
        STALE, or "" (it would confirm). The link went to the address's own mailbox, so
        its page may say where the address stands before asking anything."""
        return self._standing(claims, self.store.get(claims.email))

    def _standing(self, claims: ConfirmClaims, subscriber: Subscriber | None) -> str:
        if subscriber is None:
            # a forgotten address comes back, unless it was erased (again) after the link
            # was made or the link was for a pending signup purged since
            erased = self.store.forgotten_at(claims.email)
            return STALE if erased is None or stamp_of(erased) != claims.stamp else ""
        if subscriber.status == "active":
            return ALREADY
        return STALE if stamp_of(subscriber.updated) != claims.stamp else ""

    def confirm(self, claims: ConfirmClaims, origin: Origin) -> str:
        """ACTIVATED, ALREADY (pressed twice) or STALE (changed since the link was made)."""
        detail = _consent_detail(origin, requested=claims.issued, confirmed=self.now())
        subscriber = self.store.get(claims.email)
        standing = self._standing(claims, subscriber)
        if standing:
            return standing
        if subscriber is None:
            try:
                subscriber, created = self.store.add(
                    claims.email, claims.name, source="signup", status="active", detail=detail
                )
            except InvalidAddress:
                return STALE
            if created:
                return ACTIVATED
            standing = self._standing(claims, subscriber)  # added meanwhile by another press
            if standing:
                return standing
        changed = self.store.set_status(
            subscriber.id,
            "active",
            source="signup",
            detail=detail,
            unchanged_since=subscriber.updated,
        )
        if changed:
            return ACTIVATED
        now = self.store.get_by_id(subscriber.id)
        return ALREADY if now is not None and now.status == "active" else STALE

    def welcome(self, email: str) -> str:
        """Send the welcome mail to a subscriber just ACTIVATED; the provider's message id
        ('' when the address is no longer active, e.g. unsubscribed in between)."""
        subscriber = self.store.get(email)
        if subscriber is None or subscriber.status != "active":
            return ""
        raw = welcome_message(
            self.identity,
            self.newsletter,
            subscriber.email,
            self.latest_edition(),
            unsubscribe_url(self.identity, self.secret, subscriber.id),
            self.now(),
        )
        transport = self._transport_for(self.now().astimezone(self.zone).date())
        return transport.send(
            raw, recipient=ascii_address(subscriber.email), tags={"kind": "welcome"}
        )

    # -- housekeeping ------------------------------------------------------------

    def purge(self) -> int:
        """Delete unconfirmed signups past their time and unused limit rows; signups purged."""
        return purge(self.store, self.now(), self.limits)

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def close(self) -> None:
        with self._lock:
            if self._transport is not None:
                self._transport[1].close()
                self._transport = None

    def _transport_for(self, day: date) -> Transport:
        """One transport per day (the outbox writes under outbox/D/), made under a lock:
        boto3's default session is not safe to create clients from several threads."""
        with self._lock:
            if self._transport is None or self._transport[0] != day:
                # yesterday's may still be sending on another thread: not closed here
                self._transport = (day, self._factory(day))
            return self._transport[1]


def _consent_detail(
    origin: Origin, *, requested: datetime, confirmed: datetime | None = None
) -> str:
    """The event detail that proves consent: when it was asked and confirmed, from where."""
    record = {"requested": requested.isoformat(timespec="seconds")}
    if confirmed is not None:
        record["confirmed"] = confirmed.isoformat(timespec="seconds")
    record["via"] = origin.via
    record["ip"] = origin.ip
    record["user_agent"] = origin.user_agent[:_AGENT_MAX]
    return json.dumps(record, ensure_ascii=False)


def purge(store: SubscriberStore, now: datetime, limits: SignupLimits) -> int:
    """Unconfirmed signups older than `limits.pending_max_age` and limit rows older than
    every window are deleted; how many signups went."""
    Limiter(store.engine).purge(now - max(DAY, HOUR))
    return store.purge_pending(now - limits.pending_max_age)


def purge_unconfirmed(store: SubscriberStore, signup: SignupSettings) -> int:
    """What `daily` calls (no signing key needed, so it works wherever `daily` does)."""
    return purge(store, utc_now(), SignupLimits.from_settings(signup))
