"""Checks of the database: it answers, its schema is this program's, and who is on the list.

`doctor` looks without touching: it never creates the SQLite file, never runs a
migration (every other command migrates on first use, so an old schema is only
a warning), and it connects with a short timeout of its own, because an
unreachable PostgreSQL host would otherwise hang for the operating system's
TCP timeout of minutes.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from newsletter import db, schema
from newsletter.audience.store import SubscriberStore
from newsletter.db import error_reason, redacted_url
from newsletter.doctor.check import Check, fail, ok, skip, warn
from newsletter.doctor.context import Context
from newsletter.migrations import current_version, discover

CONNECT_TIMEOUT = 5  # seconds


def checks(ctx: Context) -> Iterator[Check]:
    url = ctx.runtime.database_url  # looked at through its own engines: nothing migrates
    shown = redacted_url(url)
    unreached = yield from _reach(ctx, url, shown)
    if unreached:
        yield skip("schema version", f"skipped: {unreached}")
        yield skip("subscribers", f"skipped: {unreached}")
        return
    yield _schema(ctx)
    yield _subscribers(ctx)


def _reach(ctx: Context, url: str, shown: str) -> Generator[Check, None, str]:
    """The `database` check; sets `ctx.engine` when the database answered, else returns
    why the checks that need it are skipped."""
    name = "database"
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url[len("sqlite:///") :].split("?", 1)[0])
        if not path.exists():
            yield warn(
                name,
                f"{path} does not exist yet (it is created on first use)",
                "add subscribers: `newsletter subscribers add EMAIL` or `… import FILE`",
            )
            return "no database yet"
    try:
        probe = _probe_engine(url)
    except ModuleNotFoundError as exc:
        yield fail(
            name, f"{shown}: driver missing ({exc.name})", "pip install 'newsletter[postgres]'"
        )
        return "the database did not answer"
    try:
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        yield fail(name, f"{shown}: cannot connect: {_first_line(exc)}", _reach_fix(url))
        return "the database did not answer"
    finally:
        probe.dispose()

    ctx.engine = db.engine(url)
    yield ok(name, f"{shown} answers")
    return ""


def _probe_engine(url: str) -> Engine:
    """A throw-away engine with a connect timeout (the shared one waits for the OS)."""
    if url.startswith("sqlite"):
        return create_engine(url, poolclass=NullPool, connect_args={"timeout": CONNECT_TIMEOUT})
    import psycopg  # noqa: F401  (a missing driver gets its own message)

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT})


def _schema(ctx: Context) -> Check:
    name = "schema version"
    assert ctx.engine is not None
    head = discover()[-1].version
    stored = current_version(ctx.engine, schema.metadata)
    if stored is None:
        return warn(
            name,
            f"no schema yet (this program's is version {head}); tables are created on first use",
            "run any command that uses the list, e.g. `newsletter subscribers count`",
        )
    if stored > head:
        return fail(
            name,
            f"the database is at version {stored}, newer than this program's {head}",
            "upgrade newsletter on this machine",
        )
    if stored < head:
        return warn(
            name,
            f"version {stored}; this program migrates it to {head} on its next command",
            "back up the database first (`pg_dump`, or copy the SQLite file)",
        )
    ctx.schema_current = True
    return ok(name, f"version {stored} (current)")


def _subscribers(ctx: Context) -> Check:
    name = "subscribers"
    if not ctx.schema_current:
        return skip(name, "skipped: the schema is not current")
    assert ctx.engine is not None
    ctx.counts = SubscriberStore(ctx.engine).count_by_status()
    active = ctx.counts.get("active", 0)
    others = ", ".join(
        f"{n} {status}" for status, n in ctx.counts.items() if n and status != "active"
    )
    detail = f"{active} active" + (f" ({others})" if others else "")
    if active == 0:
        return warn(name, detail, "add subscribers: `newsletter subscribers add EMAIL`")
    return ok(name, detail)


def _reach_fix(url: str) -> str:
    if url.startswith("sqlite"):
        return "check the file's permissions and that no other program holds it locked"
    return "start PostgreSQL, or fix database.url (host, port, user, database name)"


def _first_line(exc: BaseException) -> str:
    return error_reason(exc)[:200]
