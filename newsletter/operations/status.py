"""How did the editions go? Stage, delivery counts, pace and the audience's reaction.

Everything comes from the database, so `newsletter status` answers the same on
any machine that shares it: the edition's row (`editions`) for the stage and
its failure, the send log for the counts and times, the send registry for
whether somebody is still at it, and the subscriber events for unsubscribes,
bounces and complaints since the edition began to go out. An edition sent with
`newsletter send` alone (no `daily`) has no row but still has a status. The
content gates' findings come from the edition's briefing.json on this machine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from newsletter.brief.briefing_file import load_briefing
from newsletter.editions import EditionLog, EditionRecord
from newsletter.model import ModelError
from newsletter.render.content import content_checks
from newsletter.runtime import Runtime
from newsletter.schema import editions, send_log
from newsletter.schema import send_workers as table
from newsletter.schema import subscriber_events as events
from newsletter.send.leases import ambiguity, dead_here, live_clause
from newsletter.send.sendlog import SendLog

FAILED_STAGES = ("failed", "interrupted", "skipped")  # skipped: not approved in time
AWAITING_APPROVAL = "awaiting approval"
NO_SUBSCRIBERS = "no subscribers"


@dataclass(frozen=True)
class EditionStatus:
    edition: str
    stage: str  # started … sending, sent, failed, interrupted (sending, nobody at it), none,
    # no subscribers (sent when nobody was active)
    failed_step: str | None
    reason: str | None
    sent: int
    failed: int
    pending: int  # not sent yet, nobody at them (claimed rows of dead senders included)
    ambiguous: int  # left `sending` by a sender that died: may or may not have left
    in_flight: int  # claimed or sending by a live sender right now
    skipped: int
    rate: float | None  # messages/s from the start of the send to its last message
    started: datetime | None  # the edition began to go out
    finished: datetime | None  # its last message was recorded
    unsubscribed: int  # events since `started`
    bounced: int
    complained: int
    running: bool
    content: list[str] = field(default_factory=list)  # content gate findings of briefing.json

    @property
    def has_failed(self) -> bool:
        return self.stage in FAILED_STAGES

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("started", "finished"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def edition_statuses(
    runtime: Runtime, day: date | None = None, limit: int = 7
) -> list[EditionStatus]:
    """`day`'s status, or the newest `limit` editions' (newest first)."""
    engine = runtime.engine
    editions = EditionLog(engine)
    names = [day.isoformat()] if day else _recent(engine, limit)
    return [
        replace(
            _status(engine, name, editions.get(name)),
            content=content_findings(runtime, date.fromisoformat(name)),
        )
        for name in names
    ]


def content_findings(runtime: Runtime, day: date) -> list[str]:
    """What the content gates say about the edition's briefing.json (empty without one)."""
    directory = runtime.paths.edition_dir(day)
    if not (directory / "briefing.json").exists():
        return []
    try:
        briefing = load_briefing(directory)
    except ModelError:
        return []  # `render` names what is wrong with the file
    results = content_checks(briefing, vars(runtime.settings.gates))
    return [f"{r.rule}: {r.message}" for r in results if not r.ok]


def _recent(engine: Engine, limit: int) -> list[str]:
    """The newest editions with a row or a send log. The send log's are found by repeated
    `max(edition) < last` on its index: a few lookups, not a scan of millions of rows."""
    table = editions
    column = send_log.c.edition
    with engine.connect() as conn:
        found = {
            str(row[0])
            for row in conn.execute(
                select(table.c.edition).order_by(table.c.edition.desc()).limit(limit)
            )
        }
        last = None
        for _ in range(limit):
            query = select(func.max(column))
            if last is not None:
                query = query.where(column < last)
            last = conn.execute(query).scalar()
            if last is None:
                break
            found.add(str(last))
    return sorted(found, reverse=True)[:limit]


def _status(engine: Engine, edition: str, record: EditionRecord | None) -> EditionStatus:
    log = SendLog(engine, edition)
    table = log.table
    counts = log.counts()
    ambiguous, in_flight = ambiguity(log)
    unsettled = counts["pending"] + counts["claimed"] + counts["sending"]
    pending = unsettled - ambiguous - in_flight
    with engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(table.c.updated_at), func.max(table.c.updated_at)).where(
                table.c.edition == edition, table.c.state.in_(("sent", "failed"))
            )
        ).one()
    first, last = _utc(first), _utc(last)
    started = (record.sending_at if record else None) or first
    done = counts["sent"] + counts["failed"]
    rate = None
    # under a second the clock resolution, not the sender, would make the figure
    if started and last and (last - started).total_seconds() >= 1 and counts["sent"]:
        rate = counts["sent"] / (last - started).total_seconds()
    running = in_flight > 0 or _sending_now(engine, edition)
    stage = _stage(record, running, pending, ambiguous, done + counts["skipped"])
    finished = last if stage == "sent" else None
    reactions = _reactions(engine, started) if started else {}
    return EditionStatus(
        edition=edition,
        stage=stage,
        failed_step=record.failed_step if record and stage == "failed" else None,
        reason=_reason(record, stage, pending, ambiguous),
        sent=counts["sent"],
        failed=counts["failed"],
        pending=pending,
        ambiguous=ambiguous,
        in_flight=in_flight,
        skipped=counts["skipped"],
        rate=rate,
        started=started,
        finished=finished,
        unsubscribed=reactions.get("unsubscribed", 0),
        bounced=reactions.get("bounced", 0),
        complained=reactions.get("complained", 0),
        running=running,
    )


def _stage(
    record: EditionRecord | None, running: bool, pending: int, ambiguous: int, settled: int
) -> str:
    if record is None:  # sent with `newsletter send` alone, or nothing at all
        if not (running or pending or ambiguous or settled):
            return "none"
        if running:
            return "sending"
        return "interrupted" if pending or ambiguous or not settled else "sent"
    if record.stage == "sending" and not running and (pending or ambiguous):
        return "interrupted"
    if record.stage == "sent" and not (running or pending or ambiguous or settled):
        return NO_SUBSCRIBERS  # the send found nobody active: not "sent 0"
    if record.stage == "awaiting":
        return AWAITING_APPROVAL
    return record.stage


def _reason(record: EditionRecord | None, stage: str, pending: int, ambiguous: int) -> str | None:
    if stage in ("failed", "skipped", "rejected", AWAITING_APPROVAL) and record is not None:
        return record.reason
    if stage == "interrupted":
        return f"the send stopped with {pending} pending and {ambiguous} ambiguous"
    return None


def _sending_now(engine: Engine, edition: str) -> bool:
    """A live send process registered on this edition (it may be between claims)."""
    query = select(func.count()).where(
        table.c.edition == edition, live_clause(table.c.owner, dead_here(engine))
    )
    with engine.connect() as conn:
        return bool(conn.execute(query).scalar_one())


def _reactions(engine: Engine, since: datetime) -> dict[str, int]:
    """Unsubscribes, bounces and complaints recorded since `since` (any source)."""
    query = (
        select(events.c.status, func.count())
        .where(
            events.c.time >= since,
            events.c.status.in_(("unsubscribed", "bounced", "complained")),
        )
        .group_by(events.c.status)
    )
    with engine.connect() as conn:
        return {str(status): int(count) for status, count in conn.execute(query)}


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
