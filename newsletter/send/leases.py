"""Who is sending right now: every send process registers, keeps a heartbeat, and takes a share.

Several `newsletter send` processes (on one machine, or on several sharing one
PostgreSQL database) can work on one campaign. Each registers a row in
`send_workers` with an owner id (host:pid:random) and refreshes its heartbeat
every second from a thread of its own. That row answers three questions:

- Is the owner of a `claimed` or `sending` row alive? Alive means a heartbeat
  younger than `LEASE_SECONDS` and no clean stop. On the same host a dead pid
  settles it at once (a re-run right after a crash need not wait for the lease).
  Rows `claimed` by a dead owner never reached the provider: they go back to
  `pending` (`recover`). Rows `sending` of a dead owner are the ambiguous ones.
  Rows of a live owner are in flight elsewhere: nobody reports or resends them.
- How fast may this process send? The account's rate is shared: each process
  takes `rate / live processes` and re-reads the count with every heartbeat. A
  process that finds others already sending waits one heartbeat and a half
  before its first message, so they have slowed down for it first: the sum stays
  under the quota. A process that stops or dies frees its share within a lease.
- Who sent what: the owner stays on each row, and the registry keeps start and
  stop times (rows older than a week are pruned).

Times are the machines' clocks in UTC; the lease (15 s) is far longer than the
skew of NTP-synchronised machines.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, delete, func, select

from newsletter import schema
from newsletter.send.sendlog import SendLog

LEASE_SECONDS = 15.0
HEARTBEAT_SECONDS = 1.0
PRUNE_AFTER = timedelta(days=7)


def _now() -> datetime:
    return datetime.now(UTC)


def host_name() -> str:
    return socket.gethostname()[:100]


def new_owner() -> str:
    return f"{host_name()}:{os.getpid()}:{secrets.token_hex(4)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, it is someone else's
        return True
    return True


def dead_here(engine: Engine) -> list[str]:
    """Owners on this host with a fresh heartbeat whose process is gone (killed, crashed)."""
    table = schema.send_workers
    query = select(table.c.owner, table.c.pid).where(
        table.c.host == host_name(),
        table.c.stopped_at.is_(None),
        table.c.heartbeat_at >= _now() - timedelta(seconds=LEASE_SECONDS),
    )
    with engine.connect() as conn:
        return [row.owner for row in conn.execute(query) if not _pid_alive(row.pid)]


def live_clause(owner: ColumnElement[Any], dead: list[str]) -> ColumnElement[bool]:
    """SQL: `owner` is a live process. A subquery, not a list read earlier: a process that
    registers while this runs cannot be mistaken for a dead one."""
    table = schema.send_workers
    fresh = select(table.c.owner).where(
        table.c.stopped_at.is_(None),
        table.c.heartbeat_at >= _now() - timedelta(seconds=LEASE_SECONDS),
    )
    clause = and_(owner.is_not(None), owner.in_(fresh.scalar_subquery()))
    return and_(clause, owner.not_in(dead)) if dead else clause


def recover(log: SendLog) -> int:
    """Rows `claimed` by dead owners go back to `pending`; returns how many."""
    return _return_dead_rows(log, "claimed")


def ambiguity(log: SendLog) -> tuple[int, int]:
    """(rows `sending` of dead owners: ambiguous, rows claimed/sending by live owners)."""
    table = log.table
    live = live_clause(table.c.owner, dead_here(log.engine))
    query = select(
        func.sum(case((and_(table.c.state == "sending", ~live), 1), else_=0)),
        func.sum(case((live, 1), else_=0)),
    ).where(table.c.edition == log.edition, table.c.state.in_(("claimed", "sending")))
    with log.engine.connect() as conn:
        ambiguous, elsewhere = conn.execute(query).one()
    return int(ambiguous or 0), int(elsewhere or 0)


def release_ambiguous(log: SendLog) -> int:
    """`--resend-ambiguous`: rows `sending` of dead owners back to `pending`."""
    return _return_dead_rows(log, "sending")


def _return_dead_rows(log: SendLog, state: str) -> int:
    """Rows in `state` whose owner is dead become `pending` again; returns how many."""
    table = log.table
    dead = dead_here(log.engine)
    with log.engine.begin() as conn:
        return int(
            conn.execute(
                table.update()
                .where(
                    table.c.edition == log.edition,
                    table.c.state == state,
                    ~live_clause(table.c.owner, dead),
                )
                .values(state="pending", owner=None, updated_at=_now())
            ).rowcount
        )


def live_count(engine: Engine) -> int:
    """Send processes alive now, on any edition: they share one account's rate."""
    table = schema.send_workers
    dead = dead_here(engine)
    query = select(func.count()).where(live_clause(table.c.owner, dead))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


class Lease:
    """This process's registration: heartbeat thread, rate share, clean stop.

    `on_share(rate)` is called whenever the share changes (from the heartbeat
    thread); `rate=None` means unlimited, which is never divided.
    """

    def __init__(
        self,
        engine: Engine,
        edition: str,
        rate: float | None,
        *,
        on_share: Callable[[float | None], None] = lambda _rate: None,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.engine = engine
        self.edition = edition
        self.rate = rate
        self.on_share = on_share
        self.heartbeat = heartbeat
        self.owner = new_owner()
        self.share = rate
        self.others_at_start = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="send-heartbeat", daemon=True)

    def __enter__(self) -> Lease:
        table = schema.send_workers
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(delete(table).where(table.c.heartbeat_at < now - PRUNE_AFTER))
            conn.execute(
                table.insert().values(
                    owner=self.owner,
                    edition=self.edition,
                    host=host_name(),
                    pid=os.getpid(),
                    started_at=now,
                    heartbeat_at=now,
                    rate=self.rate,
                )
            )
        count = live_count(self.engine)
        self.others_at_start = max(count - 1, 0)
        self._set_share(count)
        self._thread.start()
        return self

    def settle(self, stopped: Callable[[], bool]) -> None:
        """When others were already sending, give them one heartbeat to make room."""
        if not (self.others_at_start and self.rate):
            return
        deadline = time.monotonic() + self.heartbeat * 1.5
        while not stopped() and time.monotonic() < deadline:
            time.sleep(0.05)

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        table = schema.send_workers
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    table.update().where(table.c.owner == self.owner).values(stopped_at=_now())
                )
        except Exception:  # the database is away: the lease simply expires
            return

    def _set_share(self, count: int) -> None:
        share = None if self.rate is None else self.rate / max(count, 1)
        if share != self.share:
            self.share = share
            self.on_share(share)

    def _beat(self) -> None:
        table = schema.send_workers
        while not self._stop.wait(self.heartbeat):
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        table.update()
                        .where(table.c.owner == self.owner)
                        .values(heartbeat_at=_now(), rate=self.share)
                    )
                self._set_share(live_count(self.engine))
            except Exception:  # the database may be briefly away: beat again
                continue
