"""How did the last send go? The newest edition's rows in the send log, by state.

Failed rows are addresses SES refused or that kept failing; rows still pending
or sending after the edition's day mean a send was interrupted and never
resumed. Both are worth a look before the next morning's send, so they warn.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, inspect, select

from newsletter.doctor.check import Check, ok, skip, warn
from newsletter.doctor.context import Context
from newsletter.schema import send_log as table

NAME = "last edition"


def checks(ctx: Context) -> Iterator[Check]:
    if ctx.engine is None or not ctx.schema_current:
        yield skip(NAME, "skipped: the database is not ready")
        return

    if not inspect(ctx.engine).has_table(table.name):
        yield skip(NAME, "no edition has been sent yet")
        return
    with ctx.engine.connect() as connection:
        newest = connection.scalar(select(func.max(table.c.edition)))
        if newest is None:
            yield skip(NAME, "no edition has been sent yet")
            return
        counts: dict[str, int] = dict(
            connection.execute(
                select(table.c.state, func.count())
                .where(table.c.edition == newest)
                .group_by(table.c.state)
            ).all()
        )
    yield _verdict(ctx, str(newest), counts)


def _verdict(ctx: Context, edition: str, counts: dict[str, int]) -> Check:
    order = ("sent", "failed", "pending", "claimed", "sending", "skipped")
    shown = ", ".join(f"{counts.get(state, 0)} {state}" for state in order if counts.get(state))
    summary = f"{edition}: {shown or 'no rows'}"
    unfinished = sum(counts.get(state, 0) for state in ("pending", "claimed", "sending"))
    if counts.get("failed", 0):
        return warn(
            NAME,
            summary,
            f"the failed addresses and their errors are in the send log "
            f"(`newsletter status --date {edition}`)",
        )
    if unfinished and edition < ctx.settings.today().isoformat():
        return warn(
            NAME,
            f"{summary}: the send was interrupted",
            f"resume it with `newsletter send --date {edition}`",
        )
    return ok(NAME, summary)
