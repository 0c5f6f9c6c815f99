"""Signup rate limits, kept in the database so they survive restarts and hold across processes.

One row per limited key (an address or a client network): when its window
began, how many times it was used in that window, and when it was last used.
`allow` is one atomic statement per attempt — an insert that only a first use
wins, else a conditional UPDATE that only succeeds while the key is under its
limits — so two `serve` processes, or two threads, can never both slip past a
limit (PostgreSQL re-checks the condition on the locked row; SQLite has one
writer at a time).

The window is fixed from its first use (a key that used its whole allowance
at the end of one window gets a new one when the window ends), which is
simpler than a sliding log and bounded well enough for abuse control.

Keys are HMACs, never addresses or IPs: this table must not become a second
list of who tried to sign up. IPv6 clients are limited per /64, the block one
customer usually has.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, case, delete, or_, update

from newsletter import schema
from newsletter.config import SignupSettings
from newsletter.db import insert_ignoring_duplicates


@dataclass(frozen=True)
class SignupLimits:
    address_interval: timedelta = timedelta(minutes=10)  # one confirmation mail per address…
    address_per_day: int = 5  # …and at most this many in 24 hours
    ip_per_hour: int = 20  # signup POSTs per client network per hour
    confirm_max_age: timedelta = timedelta(days=7)  # how long a confirmation link works
    pending_max_age: timedelta = timedelta(days=30)  # unconfirmed signups purged by `daily`

    @classmethod
    def from_settings(cls, signup: SignupSettings) -> SignupLimits:
        """The `[signup]` section of the config as limits."""
        return cls(
            address_interval=timedelta(minutes=signup.address_interval_minutes),
            address_per_day=signup.address_per_day,
            ip_per_hour=signup.network_per_hour,
            confirm_max_age=timedelta(days=signup.confirm_days),
            pending_max_age=timedelta(days=signup.unconfirmed_days),
        )


DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)


def limit_key(secret: str, kind: str, value: str) -> str:
    """`kind:` + an HMAC of `value`: recognisable by us, unreadable to anyone with the table."""
    digest = hmac.new(secret.encode("utf-8"), f"{kind}|{value}".encode(), hashlib.sha256)
    return f"{kind}:{digest.hexdigest()[:40]}"


def network_of(ip: str) -> str:
    """The unit the per-IP limit counts: the address for IPv4, its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


class Limiter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.table = schema.signup_limits

    def allow(
        self,
        key: str,
        now: datetime,
        *,
        cap: int,
        window: timedelta,
        interval: timedelta = timedelta(0),
    ) -> bool:
        """Count one use of `key` at `now` if it stays within `cap` uses per `window` and
        `interval` since the last use; False (and nothing counted) otherwise."""
        if cap < 1:
            return False
        table = self.table
        with self.engine.begin() as connection:
            first = connection.scalar(
                insert_ignoring_duplicates(connection, table, "key").returning(table.c.key),
                {"key": key, "window_start": now, "count": 1, "last": now},
            )
            if first is not None:
                return True
            expired = table.c.window_start <= now - window
            changed = connection.execute(
                update(table)
                .where(
                    table.c.key == key,
                    table.c.last <= now - interval,
                    or_(expired, table.c.count < cap),
                )
                .values(
                    count=case((expired, 1), else_=table.c.count + 1),
                    window_start=case((expired, now), else_=table.c.window_start),
                    last=now,
                )
            ).rowcount
        return changed == 1

    def purge(self, before: datetime) -> int:
        """Forget keys unused since `before` (older than every window): how many."""
        with self.engine.begin() as connection:
            return connection.execute(delete(self.table).where(self.table.c.last < before)).rowcount
