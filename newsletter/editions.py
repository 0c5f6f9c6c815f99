"""Where each edition stands: one row per date in the `editions` table.

The files under `editions/D/` say what exists; this table says what the daily job
did with them and when, and why it stopped when it failed — which is what a
person (or `newsletter status` in a monitoring check) asks the morning after.
Stages advance collected → drafted → rendered → sending → sent; `failed` keeps
the step that failed and its one-line reason until a later run gets past it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select

from newsletter import schema
from newsletter.db import insert_ignoring_duplicates

STAGES = ("started", "collected", "drafted", "rendered", "awaiting", "sending", "sent")
#: Where a manually approved edition can stop instead of going on (see operations/approval).
HELD_STAGES = ("awaiting", "rejected", "skipped")
STEP_STAGE = {"collect": "collected", "draft": "drafted", "render": "rendered", "send": "sent"}


@dataclass(frozen=True)
class EditionRecord:
    edition: str
    stage: str
    failed_step: str | None
    reason: str | None
    collected_at: datetime | None
    drafted_at: datetime | None
    rendered_at: datetime | None
    sending_at: datetime | None
    sent_at: datetime | None
    updated_at: datetime
    runner: str | None
    run_started: datetime | None


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class EditionLog:
    """Reads and records edition states on the one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.table = schema.editions

    def get(self, day: date | str) -> EditionRecord | None:
        query = select(self.table).where(self.table.c.edition == str(day))
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _record(row)

    def recent(self, limit: int) -> list[EditionRecord]:
        """The newest editions first."""
        query = select(self.table).order_by(self.table.c.edition.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_record(row) for row in conn.execute(query).mappings()]

    def advance(self, day: date | str, stage: str) -> None:
        """`stage` is reached (now, or found done): never moves a later stage back, but
        always leaves `failed` and `started` behind."""
        now = _now()
        with self._row(day) as (conn, current):
            values: dict[str, Any] = {"updated_at": now}
            if (
                current is None
                or current["stage"] in ("failed", "started", "rejected", "skipped")
                or (STAGES.index(stage) >= STAGES.index(current["stage"]))
            ):
                values.update(stage=stage, failed_step=None, reason=None)
            first_send = stage == "sending" and current is not None and current["sending_at"]
            if not first_send and stage != "awaiting":  # `sending_at` keeps the first send
                values[f"{stage}_at"] = now
            conn.execute(self._update(day).values(**values))

    def hold(self, day: date | str, stage: str, reason: str) -> None:
        """The edition stops at `stage` (awaiting | rejected | skipped), with why."""
        assert stage in HELD_STAGES
        with self._row(day) as (conn, _current):
            conn.execute(
                self._update(day).values(
                    stage=stage, failed_step=None, reason=reason[:2000], updated_at=_now()
                )
            )

    def fail(self, day: date | str, step: str, reason: str) -> None:
        with self._row(day) as (conn, _current):
            conn.execute(
                self._update(day).values(
                    stage="failed", failed_step=step, reason=reason[:2000], updated_at=_now()
                )
            )

    def set_runner(self, day: date | str, runner: str | None) -> None:
        with self._row(day) as (conn, _current):
            conn.execute(
                self._update(day).values(runner=runner, run_started=_now() if runner else None)
            )

    @contextmanager
    def recording(self, day: date | str, step: str) -> Iterator[None]:
        """Run one step: a failure is recorded (`failed`, the step, the reason) and re-raised."""
        try:
            yield
        except KeyboardInterrupt:
            self.fail(day, step, "interrupted")
            raise
        except Exception as exc:
            self.fail(day, step, str(exc) or type(exc).__name__)
            raise

    def _update(self, day: date | str) -> Any:
        return self.table.update().where(self.table.c.edition == str(day))

    @contextmanager
    def _row(self, day: date | str) -> Iterator[tuple[Any, Any]]:
        """A transaction with the edition's row created if missing, and its current values."""
        with self.engine.begin() as conn:
            current = (
                conn.execute(select(self.table).where(self.table.c.edition == str(day)))
                .mappings()
                .first()
            )
            if current is None:
                conn.execute(
                    insert_ignoring_duplicates(conn, self.table, "edition").values(
                        edition=str(day), stage="started", updated_at=_now()
                    )
                )
            yield conn, current


def _record(row: Any) -> EditionRecord:
    values = dict(row)
    for key, value in values.items():
        if isinstance(value, datetime):
            values[key] = _utc(value)
    return EditionRecord(**values)
