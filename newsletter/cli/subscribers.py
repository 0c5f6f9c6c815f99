"""`newsletter subscribers …`: the list owner's commands for the audience.

Thin by design: parse the arguments, call one function of `newsletter.audience`,
print the result (Rich tables, or JSON with `--json`). The rules about who may
receive mail live in the store, never here. SQLAlchemy is imported inside the
commands so that `newsletter --help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from rich.text import Text

from newsletter import db
from newsletter.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, fail, runtime_from
from newsletter.cli.output import print_json, print_table, say

if TYPE_CHECKING:
    from newsletter.audience.importer import ImportSummary
    from newsletter.audience.store import Subscriber, SubscriberStore

app = typer.Typer(
    help="Add, remove, list, import and export subscribers.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_STATUS_STYLE = {
    "active": "green",
    "pending": "yellow",
    "unsubscribed": "dim",
    "bounced": "red",
    "complained": "red",
}
_LISTED_INVALID = 20

JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


def open_store(ctx: typer.Context) -> SubscriberStore:
    """The store of the configured database; one clear line if it cannot be reached."""
    from sqlalchemy.exc import SQLAlchemyError

    runtime = runtime_from(ctx)
    try:
        return runtime.subscribers
    except SQLAlchemyError as exc:
        shown = db.redacted_url(runtime.settings.database.url)
        fail(f"database ({shown}): {db.error_reason(exc)}", EXIT_FAILED)


def _status(status: str) -> Text:
    return Text(status, style=_STATUS_STYLE.get(status, ""))


def _check_status(status: str | None) -> None:
    from newsletter.audience.store import STATUSES

    if status is not None and status not in STATUSES:
        fail(f"--status must be one of {', '.join(STATUSES)}, found {status!r}", EXIT_USAGE)


def _describe(subscriber: Subscriber) -> str:
    return f"{subscriber.email} ({subscriber.status}, id {subscriber.id})"


@app.command("add")
def add(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The address to subscribe."),
    name: str = typer.Option("", "--name", help="The subscriber's name."),
    confirm: bool = typer.Option(
        False, "--confirm", help="Send a confirmation link instead; active once they press it."
    ),
) -> None:
    """Subscribe an address (active at once). An existing address is never changed."""
    from newsletter.audience.store import ForgottenAddress, InvalidAddress

    store = open_store(ctx)
    if confirm:
        from newsletter.cli.confirm import send_confirmation

        send_confirmation(runtime_from(ctx), store, email, name)
        return
    try:
        subscriber, created = store.add(email, name, source="cli")
    except ForgottenAddress as exc:
        fail(str(exc), EXIT_FAILED)
    except InvalidAddress as exc:
        fail(f"{email!r} is not a valid address: {exc}", EXIT_USAGE)
    if created:
        say(f"added {_describe(subscriber)}")
    else:
        say(f"already on the list, unchanged: {_describe(subscriber)}")


@app.command("remove")
def remove(
    ctx: typer.Context, email: str = typer.Argument(..., help="The address to unsubscribe.")
) -> None:
    """Unsubscribe an address; its history is kept (use `forget` to erase it)."""
    from newsletter.audience.store import SUPPRESSED

    store = open_store(ctx)
    subscriber = store.get(email)
    if subscriber is None:
        fail(f"no subscriber with the address {email}", EXIT_FAILED)
    if subscriber.status in SUPPRESSED:
        say(f"already not receiving mail: {_describe(subscriber)}")
        return
    store.unsubscribe(subscriber.id, source="cli", detail="subscribers remove")
    say(f"unsubscribed {subscriber.email} (id {subscriber.id})")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="Only this status."),
    limit: int = typer.Option(100, "--limit", min=1, help="At most this many."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many first."),
    as_json: bool = JsonOption,
) -> None:
    """Subscribers in the order they joined."""
    _check_status(status)
    store = open_store(ctx)
    subscribers = store.list(status, limit=limit, offset=offset)
    if as_json:
        print_json([subscriber.to_json() for subscriber in subscribers])
        return
    table = Table("id", "email", "name", "status", "since", box=None, header_style="bold")
    for subscriber in subscribers:
        table.add_row(
            str(subscriber.id),
            subscriber.email,
            subscriber.name,
            _status(subscriber.status),
            subscriber.created.strftime("%Y-%m-%d"),
        )
    print_table(table)
    if not subscribers:
        say("no subscribers" + (f" with status {status}" if status else ""), err=True)
    elif len(subscribers) == limit:  # a full page: a list cut at --limit must say so
        counts = store.count_by_status()
        total = counts.get(status, 0) if status else sum(counts.values())
        shown = offset + len(subscribers)
        if shown < total:
            say(
                f"showing {offset + 1:,}–{shown:,} of {total:,}; the next: --offset {shown}",
                err=True,
            )


@app.command("show")
def show(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The address to look up."),
    as_json: bool = JsonOption,
) -> None:
    """One subscriber with the history of their status."""
    store = open_store(ctx)
    subscriber = store.get(email)
    if subscriber is None:
        fail(f"no subscriber with the address {email}", EXIT_FAILED)
    events = store.events(subscriber.id)
    if as_json:
        print_json({**subscriber.to_json(), "events": [event.to_json() for event in events]})
        return
    facts = Table(box=None, show_header=False)
    facts.add_row("email", subscriber.email)
    facts.add_row("name", subscriber.name)
    facts.add_row("status", _status(subscriber.status))
    facts.add_row("id", str(subscriber.id))
    facts.add_row("created", subscriber.created.isoformat(timespec="seconds"))
    facts.add_row("updated", subscriber.updated.isoformat(timespec="seconds"))
    for key, value in subscriber.attributes.items():
        facts.add_row(key, str(value))
    print_table(facts)
    history = Table("time", "status", "source", "detail", title="history", header_style="bold")
    for event in events:
        history.add_row(
            event.time.isoformat(timespec="seconds"),
            _status(event.status),
            event.source,
            event.detail,
        )
    print_table(history)


@app.command("count")
def count(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """How many subscribers are in each status."""
    counts = open_store(ctx).count_by_status()
    if as_json:
        print_json({**counts, "total": sum(counts.values())})
        return
    table = Table("status", "subscribers", box=None, header_style="bold")
    for status, number in counts.items():
        table.add_row(_status(status), f"{number:,}")
    table.add_row(Text("total", style="bold"), Text(f"{sum(counts.values()):,}", style="bold"))
    print_table(table)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV with an `email` column (and `name`)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would happen; change nothing."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Import a CSV file; safe to repeat, never re-subscribes anybody who left."""
    from newsletter.audience.importer import CsvFileError, import_csv

    store = open_store(ctx)
    try:
        summary = import_csv(store, file, dry_run=dry_run, progress=sys.stderr.isatty())
    except CsvFileError as exc:
        fail(str(exc), EXIT_FAILED)
    except KeyboardInterrupt:
        kept = "nothing was changed" if dry_run else "the rows before it are imported"
        fail(
            f"{file}: import interrupted; {kept}; run the same import again to finish "
            "(it adds nobody twice)",
            EXIT_INTERRUPTED,
        )
    if as_json:
        print_json(summary.to_json())
        return
    _print_summary(file, summary)


def _print_summary(file: Path, summary: ImportSummary) -> None:
    table = Table(box=None, show_header=False)
    prefix = "would be " if summary.dry_run else ""
    table.add_row(f"{prefix}added", f"{summary.added:,}")
    table.add_row("already present", f"{summary.present:,}")
    table.add_row("suppressed (left alone)", f"{summary.suppressed:,}")
    if summary.changed:
        table.add_row(f"{prefix}marked unsubscribed/bounced/complained", f"{summary.changed:,}")
    table.add_row("invalid", f"{summary.invalid_count:,}")
    print_table(table)
    for line, value, reason in summary.invalid[:_LISTED_INVALID]:
        say(f"{file}: line {line}: {value!r}: {reason}", err=True)
    more = summary.invalid_count - min(len(summary.invalid), _LISTED_INVALID)
    if more > 0:
        say(f"… and {more:,} more invalid rows", err=True)
    if summary.rejected_path is not None:
        say(f"invalid rows written to {summary.rejected_path}", err=True)
    if summary.rows == 0:  # the wrong file, most likely: a silent "added 0" hides that
        say(f"{file}: no subscriber rows (an empty file, or a header alone)", err=True)
    if summary.dry_run:
        say("dry run: nothing was changed", err=True)


@app.command("export")
def export(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="Write here instead of stdout."),
) -> None:
    """Every subscriber as CSV (email, name, status, created, attributes)."""
    from newsletter.audience.exporter import export_csv
    from newsletter.files import replacing

    store = open_store(ctx)
    if file is None:
        export_csv(store, sys.stdout)
        sys.stdout.flush()
        return
    try:
        with replacing(file) as out:  # interrupted: the old file stays, no half list beside it
            written = export_csv(store, out)
    except OSError as exc:
        fail(f"{file}: {exc.strerror or exc}", EXIT_FAILED)
    say(f"exported {written:,} subscribers to {file}", err=True)


@app.command("forget")
def forget(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The person's address."),
    yes: bool = typer.Option(False, "--yes", help="Confirm: erase this person's data."),
) -> None:
    """Erase a person's data for good (GDPR); a hashed tombstone blocks re-imports."""
    from newsletter.audience.store import InvalidAddress

    if not yes:
        fail(f"forget erases {email} and its history for good: add --yes to confirm", EXIT_USAGE)
    store = open_store(ctx)
    try:
        erased = store.forget(email)
    except InvalidAddress as exc:
        fail(f"{email!r} is not a valid address: {exc}", EXIT_USAGE)
    if erased:
        say(f"erased {email}; a hashed tombstone keeps it from being re-added")
    else:
        say(f"no subscriber with the address {email}; tombstone recorded anyway")
