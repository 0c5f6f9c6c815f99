"""One `daily` run per edition at a time, however it was started (timer, cron, by hand).

Two runs for the same date must never both send: the second one stops at once
and says who holds the lock. On PostgreSQL the lock is a session advisory lock,
so it works across machines and the server drops it when the holder's
connection dies. On SQLite (one machine by nature) it is an exclusive `flock` on
a file beside the data, which the kernel drops when the holder dies. Either way
a crashed run never leaves a stale lock behind. Who holds it — host, pid and
since when — is written on the edition's row for the loser's message.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

from newsletter.editions import EditionLog
from newsletter.runtime import Runtime

# The first key of the two-key advisory lock: "nl" in ASCII, our namespace.
_PG_NAMESPACE = 0x6E6C


class LockHeld(Exception):
    """Another run holds the edition's lock: `runner` ("host pid N") and `since` (local
    time) name it when its row says so, else both are empty."""

    def __init__(self, day: date, runner: str = "", since: str = "") -> None:
        holder = f"another run ({runner}, since {since})" if runner else "another run"
        super().__init__(f"the edition of {day} is being made by {holder}")
        self.day, self.runner, self.since = day, runner, since


def runner_name() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


@contextmanager
def daily_lock(runtime: Runtime, day: date, editions: EditionLog) -> Iterator[None]:
    """Hold the lock of `day` for the duration, or raise LockHeld naming the holder."""
    engine = runtime.engine
    if engine.dialect.name == "postgresql":
        hold = _pg_lock(engine, day)
    else:
        hold = _file_lock(runtime.paths.data_dir / "locks", day)
    with hold as acquired:
        if not acquired:
            raise _held(editions, day)
        editions.set_runner(day, runner_name())
        try:
            yield
        finally:
            editions.set_runner(day, None)


def _held(editions: EditionLog, day: date) -> LockHeld:
    record = editions.get(day)
    if record is None or not record.runner or record.run_started is None:
        return LockHeld(day)
    since = record.run_started.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    return LockHeld(day, record.runner, since)


@contextmanager
def _pg_lock(engine: Engine, day: date) -> Iterator[bool]:
    keys = {"space": _PG_NAMESPACE, "day": day.toordinal()}
    with engine.connect() as plain:
        conn = plain.execution_options(isolation_level="AUTOCOMMIT")
        statement = text("SELECT pg_try_advisory_lock(:space, :day)")
        acquired = bool(conn.execute(statement, keys).scalar())
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute(text("SELECT pg_advisory_unlock(:space, :day)"), keys)


@contextmanager
def _file_lock(directory: Path, day: date) -> Iterator[bool]:
    directory.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(directory / f"daily-{day}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
