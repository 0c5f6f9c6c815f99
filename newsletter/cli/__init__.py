"""The `newsletter` command: parse, call one function, print.

Nothing heavy is imported at module level (no boto3, SQLAlchemy, MJML): each
command imports what it uses, so `newsletter --help` answers at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from newsletter.cli import approval, stages, subscribers
from newsletter.cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    DateOption,
    Guarded,
    JsonOption,
    edition_date,
    fail,
    runtime_from,
)
from newsletter.cli.output import print_json, say, styled

app = typer.Typer(
    name="newsletter",
    help="Collect tech news, write a daily briefing, and send it by email.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    cls=Guarded,
)
app.add_typer(subscribers.app, name="subscribers", help="Manage the subscriber list.")
feedback_app = typer.Typer(help="SES bounce and complaint notifications.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        say(f"newsletter {version('newsletter')}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    config: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--config",
            help="newsletter.toml to use (default: $NEWSLETTER_CONFIG, then ./newsletter.toml).",
        ),
    ] = None,
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    ctx.ensure_object(dict)["config"] = config


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to write newsletter.toml.")] = Path("."),
    name: Annotated[Optional[str], typer.Option("--name", help="Newsletter name.")] = None,  # noqa: UP045
    language: Annotated[Optional[str], typer.Option("--language", help="ko | en.")] = None,  # noqa: UP045
    sender: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--from", help='Sender, e.g. "Daily Briefing <briefing@example.com>".'),
    ] = None,
    base_url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--base-url", help="Public https URL where `newsletter serve` runs."),
    ] = None,
    feed: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--feed",
            help='An RSS/Atom feed: "URL" or "URL|section|name" (repeatable; section: tech).',
        ),
    ] = None,
    timezone: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--timezone", help="IANA zone of the send time, e.g. Europe/Berlin."),
    ] = None,
    send_time: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--send-time", help="HH:MM in that zone (default 07:00)."),
    ] = None,
    postal_address: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--postal-address", help="Your postal address for the footer."),
    ] = None,
    transport: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--transport", help="outbox (write .eml files) | ses (send) | smtp (send via a relay)."
        ),
    ] = None,
    topic: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--topic", help='A topic of the beat, e.g. "AI" or "반도체" (repeatable).'),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Ask nothing: flags and defaults only.")
    ] = False,
) -> None:
    """Guided start: write newsletter.toml, a secret key in .env and a .gitignore; run doctor."""
    from newsletter.cli.init import guided_init
    from newsletter.starter import Answers, FeedAnswer

    answers = Answers(
        name=name,
        language=language,
        sender=sender,
        base_url=base_url,
        feeds=[FeedAnswer.parse(value) for value in feed or []],
        transport=transport,
        timezone=timezone,
        send_time=send_time,
        postal_address=postal_address,
        topics=list(topic) if topic else None,
    )
    guided_init(directory, answers, yes=yes)


for stage_command in (stages.collect, stages.draft, stages.render, stages.send, stages.daily):
    app.command()(stage_command)


@app.command()
def preview(
    ctx: typer.Context,
    date: DateOption = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free).")] = 8025,
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open a browser.")] = False,
) -> None:
    """Serve the edition on 127.0.0.1 (desktop, phone, text) and open the browser.

    Without --date: today's, or the newest edition when today has none."""
    from newsletter.pipeline import StageError
    from newsletter.web.launch import LaunchError, run_preview

    runtime = runtime_from(ctx)
    day = edition_date(runtime.settings, date) if date else None
    try:
        run_preview(runtime, day, port=port, open_browser=not no_open, say=say)
    except KeyboardInterrupt:
        return  # Ctrl-C is how a preview stops: not an interruption of anything
    except LaunchError as exc:
        fail(str(exc), _launch_exit_code(exc))
    except StageError as exc:
        stages.fail_stage(exc)


@app.command()
def schedule(ctx: typer.Context) -> None:
    """Run `daily` every day at send_time (foreground, for systemd/containers)."""
    from newsletter.cli.scheduling import run_schedule

    run_schedule(runtime_from(ctx), ctx.ensure_object(dict).get("config"))


@app.command()
def status(
    ctx: typer.Context,
    date: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--date", help="Only the edition of YYYY-MM-DD (default: the last 7)."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Per edition: stage, sent / failed / pending / ambiguous, pace, unsubscribes, bounces.

    The last 7 without --date; exit 1 when the newest one failed."""
    from newsletter.cli.status import print_statuses
    from newsletter.operations.status import edition_statuses

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date) if date else None
    statuses = edition_statuses(runtime, day)
    if day and not json and [status.stage for status in statuses] == ["none"]:
        say(f"no edition of {day}: run `newsletter daily --date {day}`")
        return
    print_statuses(statuses, settings.zone, as_json=json)
    if statuses and statuses[0].has_failed:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def report(
    ctx: typer.Context,
    date: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--date", help="Only the edition of YYYY-MM-DD."),
    ] = None,
    last: Annotated[int, typer.Option("--last", min=1, help="The newest N editions.")] = 7,
    json: JsonOption = False,
    html: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--html", help="Also write a page with charts of the last 30 editions."),
    ] = None,
) -> None:
    """Delivery and engagement per edition: sent, delivered, bounced, opened, clicked.

    Also complaints, clicks per story, unsubscribes and the list's size."""
    from newsletter.cli.report import print_reports
    from newsletter.feedback.report import report_for
    from newsletter.feedback.report_page import write_page

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date) if date else None
    reports = report_for(
        runtime.engine,
        runtime.paths.edition_dir,
        settings.feedback,
        day=day,
        last=max(last, 30) if html else last,
    )
    if html is not None:
        write_page(reports, html, title=f"{settings.newsletter.name}: delivery and engagement")
    if day and not json and all(report.sent + report.failed == 0 for report in reports):
        say(f"nothing sent for {day}: `newsletter report` counts an edition once it went out")
    else:
        print_reports(reports if day else reports[:last], as_json=json)
    if html is not None and not json:
        say(f"wrote {html}")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """Run the public web app: unsubscribe pages, SES feedback, /healthz."""
    from newsletter.web.launch import LaunchError, run_serve

    try:
        run_serve(runtime_from(ctx), host=host, port=port, say=say)
    except KeyboardInterrupt:
        return  # Ctrl-C (or SIGINT from a service manager) is how the server stops
    except LaunchError as exc:
        fail(str(exc), _launch_exit_code(exc))


app.command()(approval.approve)
app.command()(approval.reject)


def _launch_exit_code(exc: Exception) -> int:
    from newsletter.web.launch import LaunchRefused

    return EXIT_USAGE if isinstance(exc, LaunchRefused) else EXIT_FAILED


@app.command()
def publish(
    ctx: typer.Context,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", help="Folder to write the site to (default: DATA_DIR/site)."),
    ] = None,
) -> None:
    """Write the public site (landing, archive, edition pages, feed) as static files."""
    from sqlalchemy.exc import SQLAlchemyError

    from newsletter import db
    from newsletter.render import RenderError
    from newsletter.site.archive import Archive
    from newsletter.site.pages import SitePages
    from newsletter.site.static import publish_site

    runtime = runtime_from(ctx)
    target = out if out is not None else runtime.paths.data_dir / "site"
    try:
        archive = Archive(runtime.engine, runtime.paths.editions_dir)
        published = publish_site(SitePages(runtime.render_options, archive), target)
    except SQLAlchemyError as exc:
        fail(f"database: {db.error_reason(exc)}", EXIT_FAILED)
    except RenderError as exc:
        fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        fail(f"{target}: {exc.strerror or exc}", EXIT_FAILED)
    say(
        f"published {published.editions} edition(s) → {published.directory} "
        f"({len(published.files)} files; the links point at {runtime.settings.public_url})"
    )


@app.command()
def doctor(ctx: typer.Context, json: JsonOption = False) -> None:
    """Check config, database, SES setup and feeds before going live (exit 1 on a failure)."""
    from newsletter.cli.doctor import run_doctor

    report = run_doctor(ctx.ensure_object(dict).get("config"), as_json=json)
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


@feedback_app.command("poll")
def feedback_poll(ctx: typer.Context, json: JsonOption = False) -> None:
    """Process SES bounce/complaint notifications from an SQS queue, then exit."""
    from newsletter.feedback.sqs import PollError, QueueNotConfigured, run_poll

    runtime = runtime_from(ctx)
    settings = runtime.settings
    try:
        report = run_poll(
            settings.feedback,
            settings.sender.region,
            lambda: runtime.subscribers,
            settings.sender.unsubscribe_mailbox,
        )
    except QueueNotConfigured as exc:
        fail(f"{settings.path}: {exc}", EXIT_USAGE)
    except PollError as exc:
        fail(str(exc), EXIT_FAILED)
    if json:
        print_json(report.to_json())
    else:
        say(
            f"{report.received} received: {report.recorded} recorded, "
            f"{report.duplicates} already seen, {report.ignored} ignored; "
            f"{report.changed} subscribers changed"
        )
        for line in report.failed:
            say(styled("[yellow]left in the queue:[/] {line}", line=line))
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


def main() -> None:
    app()


__all__ = ["app", "main", "print_json"]
