"""`subscribers import FILE`: a CSV of any size into the store, safely and repeatably.

Promises: re-importing a file adds nothing; no row ever re-activates an address
that is unsubscribed, bounced, complained or forgotten; a bad row never stops the
import but is listed with its line number and written to `FILE.rejected.csv`;
memory stays constant (rows are read one by one and written in batches of a few
thousand, each batch its own short transaction so the web app is never blocked).

A `status` column (as written by `export`) is honoured for new addresses, so an
export imported elsewhere keeps its unsubscribed people unsubscribed; for an
existing receiving subscriber it can only suppress (e.g. an unsubscribe list from
another tool), never the other way round.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, column, select, table, update

from newsletter import schema
from newsletter.audience.addresses import InvalidAddress, clean_name, parse_address, tombstone_hash
from newsletter.audience.bulk import (
    find_subscribers,
    find_tombstones,
    insert_events,
    insert_subscribers,
    refresh_statistics,
)
from newsletter.audience.csvfile import (
    REJECTED_HEADERS,
    Columns,
    CsvFileError,
    CsvSource,
    neutralise,
)
from newsletter.audience.store import (
    RECEIVING,
    STATUSES,
    SUPPRESSED,
    SubscriberStore,
)

__all__ = ["CsvFileError", "ImportSummary", "import_csv", "rejected_path_for"]

BATCH_SIZE = 2000  # × 7 columns stays under SQLite's 32,766 parameters per statement
_ANALYZE_AFTER = 10_000  # rows added; below this the planner's guesses do no harm
MAX_LISTED = 1000  # invalid rows kept in the summary; the rejected file has them all
_SEEN = table("newsletter_import_seen", column("email_key"))


@dataclass
class ImportSummary:
    added: int = 0  # new subscribers (in the file's status, active by default)
    present: int = 0  # already subscribed (or repeated in the file): nothing to do
    suppressed: int = 0  # unsubscribed/bounced/complained/forgotten: left alone
    changed: int = 0  # receiving subscribers the file marked unsubscribed/bounced/complained
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # (line, value, reason)
    invalid_count: int = 0
    rejected_path: Path | None = None
    dry_run: bool = False

    @property
    def rows(self) -> int:
        return self.added + self.present + self.suppressed + self.changed + self.invalid_count

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "present": self.present,
            "suppressed": self.suppressed,
            "changed": self.changed,
            "invalid": self.invalid_count,
            "invalid_rows": [
                {"line": line, "value": value, "reason": reason}
                for line, value, reason in self.invalid
            ],
            "rejected_path": str(self.rejected_path) if self.rejected_path else None,
            "dry_run": self.dry_run,
        }


@dataclass
class _Row:
    line: int
    email: str
    key: str
    name: str
    status: str
    attributes: dict[str, Any]


def rejected_path_for(path: Path) -> Path:
    """`list.csv` → `list.rejected.csv`, beside the imported file."""
    return path.with_name(f"{path.stem}.rejected.csv")


def import_csv(
    store: SubscriberStore, path: str | Path, *, dry_run: bool = False, progress: bool = False
) -> ImportSummary:
    """Import subscribers from a CSV file; `CsvFileError` when the file cannot be read.

    With `dry_run`, nothing is written (not even the rejected file) but the summary
    is what a real import would report.
    """
    path = Path(path)
    summary = _Summary(path, dry_run)
    with (
        CsvSource(path) as source,
        _Progress(progress, source.size, path.name) as bar,
        store.engine.connect() as connection,
    ):
        summary.labels = source.labels
        batch = _Batch(connection, summary, path.name, dry_run)
        try:
            for line, cells in source.rows():
                row = _parse(line, cells, source.columns, summary)
                if row is not None:
                    batch.add(row)
                if batch.full:
                    batch.flush()
                    bar.update(source.position)
            batch.flush()
            if not dry_run and summary.result.added >= _ANALYZE_AFTER:
                refresh_statistics(connection)
        finally:
            batch.close()
            summary.close()
    return summary.result


class _Summary:
    """The counts plus the rejected-rows file, opened only when a row is rejected.

    A rejected row is written whole under the file's own header, after its line and
    reason: fixing the address there and importing that file loses no name or column,
    and the import ignores the two notes.
    """

    def __init__(self, path: Path, dry_run: bool) -> None:
        self.result = ImportSummary(dry_run=dry_run)
        self.labels: Callable[[int], list[str]] = lambda width: ["email"]
        self._path = rejected_path_for(path)
        self._dry_run = dry_run
        self._handle: IO[str] | None = None
        self._writer: Any = None
        self._dropped: set[int] = set()

    def reject(self, line: int, value: str, reason: str, cells: list[str]) -> None:
        result = self.result
        result.invalid_count += 1
        if len(result.invalid) < MAX_LISTED:
            result.invalid.append((line, value, reason))
        if self._dry_run:
            return
        if self._writer is None:
            labels = self.labels(len(cells))
            # a rejected file imported again: its old notes give way to the new ones
            self._dropped = {i for i, x in enumerate(labels) if x.lower() in REJECTED_HEADERS}
            self._handle = self._path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._handle, lineterminator="\r\n")
            self._writer.writerow([*REJECTED_HEADERS, *self._kept(labels)])
            result.rejected_path = self._path
        self._writer.writerow([str(line), neutralise(reason), *self._kept(cells)])

    def _kept(self, cells: list[str]) -> list[str]:
        return [neutralise(cell) for i, cell in enumerate(cells) if i not in self._dropped]

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def _parse(line: int, cells: list[str], columns: Columns, summary: _Summary) -> _Row | None:
    def cell(index: int | None) -> str:
        # spaces and tabs only: a line-break character around an address rejects the row
        return cells[index].strip(" \t") if index is not None and index < len(cells) else ""

    value = cell(columns.email)
    try:
        address = parse_address(value)
    except InvalidAddress as exc:
        summary.reject(line, value, str(exc), cells)
        return None
    status = columns.status_of(cells) or "active"
    if status not in STATUSES:
        summary.reject(
            line, value, f"unknown status {status!r} (one of {', '.join(STATUSES)})", cells
        )
        return None
    attributes: dict[str, Any] = {}
    if columns.attributes is not None and cell(columns.attributes):
        try:
            attributes = json.loads(cell(columns.attributes))
        except ValueError:
            attributes = None  # type: ignore[assignment]
        if not isinstance(attributes, dict):
            summary.reject(line, value, "the attributes column is not a JSON object", cells)
            return None
    for index, label in columns.extra:
        if cell(index):
            attributes[label] = cell(index)
    name = cell(columns.name) or " ".join(filter(None, map(cell, columns.name_parts)))
    return _Row(line, address.email, address.key, clean_name(name), status, attributes)


class _Batch:
    """Rows waiting to be written; `flush` classifies them with two indexed lookups and
    writes the new ones with one multi-row insert, in one short transaction."""

    def __init__(self, connection: Connection, summary: _Summary, source: str, dry_run: bool):
        self.connection = connection
        self.summary = summary
        self.source = source
        self.dry_run = dry_run
        self.rows: dict[str, _Row] = {}
        if dry_run:
            # Addresses a dry run would have added, so later repeats count as present.
            connection.exec_driver_sql(
                "CREATE TEMPORARY TABLE IF NOT EXISTS newsletter_import_seen "
                "(email_key VARCHAR(320) PRIMARY KEY)"
            )
            connection.exec_driver_sql("DELETE FROM newsletter_import_seen")

    @property
    def full(self) -> bool:
        return len(self.rows) >= BATCH_SIZE

    def add(self, row: _Row) -> None:
        if row.key in self.rows:
            self.summary.result.present += 1
        else:
            self.rows[row.key] = row

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, {}
        result = self.summary.result
        connection = self.connection
        existing = find_subscribers(connection, list(rows))
        fresh = [row for key, row in rows.items() if key not in existing]
        hashes = {tombstone_hash(row.key): row.key for row in fresh}
        forgotten = {hashes[hashed] for hashed in find_tombstones(connection, list(hashes))}
        to_suppress: list[tuple[int, _Row]] = []
        for key, (subscriber_id, status) in existing.items():
            row = rows[key]
            if status in SUPPRESSED:
                result.suppressed += 1
            elif row.status in SUPPRESSED:
                to_suppress.append((subscriber_id, row))
            else:
                result.present += 1
        result.suppressed += len(forgotten)
        fresh = [row for row in fresh if row.key not in forgotten]
        if self.dry_run:
            self._dry_run(fresh, to_suppress)
            return
        now = datetime.now(UTC)
        added = self._insert(fresh, now)
        result.added += len(added)
        result.present += len(fresh) - len(added)  # added by somebody else meanwhile
        result.changed += self._suppress(to_suppress, now)
        connection.commit()

    def _insert(self, fresh: list[_Row], now: datetime) -> list[tuple[int, _Row]]:
        rows = [(row.email, row.key, row.name, row.status, row.attributes) for row in fresh]
        by_key = {row.key: row for row in fresh}
        added = [
            (subscriber_id, by_key[key])
            for subscriber_id, key in insert_subscribers(self.connection, rows, now)
        ]
        self._events(added, now)
        return added

    def _suppress(self, rows: list[tuple[int, _Row]], now: datetime) -> int:
        subscribers = schema.subscribers
        changed = []
        for subscriber_id, row in rows:
            done = self.connection.execute(
                update(subscribers)
                .where(subscribers.c.id == subscriber_id, subscribers.c.status.in_(RECEIVING))
                .values(status=row.status, updated=now)
            ).rowcount
            if done:
                changed.append((subscriber_id, row))
            else:
                self.summary.result.suppressed += 1
        self._events(changed, now)
        return len(changed)

    def _events(self, rows: list[tuple[int, _Row]], now: datetime) -> None:
        insert_events(
            self.connection,
            [
                (subscriber_id, row.status, "import", f"{self.source}:{row.line}")
                for subscriber_id, row in rows
            ],
            now,
        )

    def _dry_run(self, fresh: list[_Row], to_suppress: list[tuple[int, _Row]]) -> None:
        result = self.summary.result
        result.changed += len(to_suppress)
        if not fresh:
            return
        seen = set(
            self.connection.scalars(
                select(_SEEN.c.email_key).where(_SEEN.c.email_key.in_([row.key for row in fresh]))
            )
        )
        new = [row for row in fresh if row.key not in seen]
        result.present += len(fresh) - len(new)
        result.added += len(new)
        if new:
            self.connection.execute(_SEEN.insert(), [{"email_key": row.key} for row in new])

    def close(self) -> None:
        if self.dry_run:
            self.connection.rollback()
            self.connection.exec_driver_sql("DROP TABLE IF EXISTS newsletter_import_seen")
            self.connection.commit()
        else:
            self.connection.rollback()  # only reached with work pending after an error


class _Progress:
    """A Rich progress bar over the bytes of the file, on stderr; a no-op when off."""

    def __init__(self, enabled: bool, total: int, label: str) -> None:
        self._bar: Any = None
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}", style="bold", markup=False),  # a file name
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = self._bar.add_task(f"importing {label}", total=total)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, position: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=position)
