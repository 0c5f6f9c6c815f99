"""The `newsletter` command: parse, call one function, print.

Nothing heavy is imported at module level (no boto3, SQLAlchemy, MJML): each
command imports what it uses, so `newsletter --help` answers at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from newsletter.cli import subscribers
from newsletter.cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    Guarded,
    edition_date,
    fail,
    runtime_from,
    settings_from,
)
from newsletter.cli.output import console, print_json, print_table, say, styled

if TYPE_CHECKING:
    from datetime import date

    from newsletter.model import Edition
    from newsletter.runtime import Runtime

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

DateOption = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on 3.11
    typer.Option(
        "--date", help="Edition date YYYY-MM-DD (default: today in the newsletter's zone)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@app.callback()
def _global(
    ctx: typer.Context,
    config: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--config", help="newsletter.toml to use (default: $NEWSLETTER_CONFIG or ./)."
        ),
    ] = None,
) -> None:
    ctx.ensure_object(dict)["config"] = config


def _stage_error(exc: Exception) -> None:
    from newsletter.cli.hints import stage_exit_code, stage_line
    from newsletter.pipeline import StageError

    if isinstance(exc, StageError):
        fail(stage_line(exc), stage_exit_code(exc))
    raise exc


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


@app.command()
def collect(ctx: typer.Context, date: DateOption = None, json: JsonOption = False) -> None:
    """Fetch the feeds into editions/D/items.json."""
    from newsletter.collect.report import report_table
    from newsletter.pipeline import StageError, collect_stage

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date)
    try:
        result = collect_stage(runtime, day, progress=not json and console.is_terminal)
    except StageError as exc:
        _stage_error(exc)
    if json:
        typer.echo(result.report_json())
    else:
        print_table(report_table(result))
        count = len(result.items)
        where = runtime.paths.edition_dir(day) / "items.json"
        say(f"{count} item{'s' * (count != 1)} → {where}")
    if not result.ok:
        fail("no feed could be collected", EXIT_FAILED)


@app.command()
def draft(
    ctx: typer.Context,
    date: DateOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a hand-edited briefing.")
    ] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Show every candidate story: score parts, why (not) picked."
        ),
    ] = False,
) -> None:
    """Write editions/D/briefing.json from the collected items."""
    from newsletter.brief.report import DraftReport
    from newsletter.cli.explain import explain_table
    from newsletter.pipeline import StageError, draft_stage

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date)
    report = DraftReport()
    try:
        briefing = draft_stage(runtime, day, force=force, report=report)
    except StageError as exc:
        if explain and report.candidates:  # an empty edition is when the "why" matters most
            print_table(explain_table(report))
        _stage_error(exc)
    for story in briefing.stories:
        say(
            styled(
                "{emoji} {headline}  [dim]({sources} sources)[/]",
                emoji=story.emoji,
                headline=story.headline,
                sources=len(story.sources),
            )
        )
    if explain:
        print_table(explain_table(report))
    for line in report.lines():
        say(line)
    say(f"{len(briefing.stories)} stories → {runtime.paths.edition_dir(day) / 'briefing.json'}")


@app.command()
def render(ctx: typer.Context, date: DateOption = None) -> None:
    """Render email.html, email.txt, post.md and web.html from briefing.json."""
    from newsletter.pipeline import StageError, render_stage

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date)
    try:
        rendered = render_stage(runtime, day, say=say)
    except StageError as exc:
        _stage_error(exc)
    size = len(rendered.edition.html.encode("utf-8")) / 1024
    for dropped in rendered.dropped:
        say(dropped.line())
    say(
        f"rendered {runtime.paths.edition_dir(day)}: email.html ({size:.1f} KB), email.txt, "
        "post.md, web.html"
    )
    for warning in rendered.warnings():
        say(f"gate warning: {warning}")


@app.command()
def send(
    ctx: typer.Context,
    date: DateOption = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Send one test copy to ADDR.")] = None,  # noqa: UP045
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count and write a sample.")] = False,
    resend_ambiguous: Annotated[
        bool, typer.Option("--resend-ambiguous", help="Resend rows a crashed send left 'sending'.")
    ] = False,
) -> None:
    """Deliver the rendered edition to every active subscriber (resumes a half-done send)."""
    from newsletter.cli.sending import SendProgress, print_summary
    from newsletter.cli.signals import sigterm_cancels
    from newsletter.pipeline import StageError, load_rendered_edition, send_stage

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date)
    try:
        if to or dry_run:
            _trial(runtime, day, load_rendered_edition(runtime.paths.edition_dir(day), day), to)
            return
        held = _approval_hold(runtime, day)
        if held:
            fail(held, EXIT_FAILED)
        with SendProgress() as progress, sigterm_cancels() as cancel:
            summary = send_stage(
                runtime, day, resend_ambiguous=resend_ambiguous, progress=progress, cancel=cancel
            )
    except StageError as exc:
        _stage_error(exc)
    print_summary(summary, day)
    if summary.failed:
        raise typer.Exit(EXIT_FAILED)


def _trial(runtime: Runtime, day: date, edition: Edition, to: str | None) -> None:
    from newsletter.audience.addresses import InvalidAddress
    from newsletter.audience.tokens import SecretKeyError
    from newsletter.cli.sending import print_dry_run
    from newsletter.send.message import HeaderInjection, UnsupportedAddress
    from newsletter.send.transports.base import DeliveryError
    from newsletter.send.trial import SAMPLE_NAME, dry_run, send_test_copy

    try:
        setup = runtime.campaign()
        if to:
            message_id = send_test_copy(setup, day, edition, to)
            say(f"test copy sent to {to} ({message_id})")
        else:
            sample = runtime.paths.edition_dir(day) / SAMPLE_NAME
            print_dry_run(dry_run(setup, day, edition, sample))
    except (HeaderInjection, InvalidAddress, UnsupportedAddress, SecretKeyError) as exc:
        fail(str(exc), EXIT_USAGE)
    except DeliveryError as exc:
        fail(f"test copy not sent: {exc}", EXIT_FAILED)


@app.command()
def daily(ctx: typer.Context, date: DateOption = None) -> None:
    """collect + draft + render + send for one date; safe to re-run."""
    from newsletter.cli.hints import approval_hint
    from newsletter.cli.signals import sigterm_cancels
    from newsletter.operations.daily import run_daily
    from newsletter.pipeline import StageError

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date)
    try:
        with sigterm_cancels() as cancel:
            report = run_daily(runtime, day, say=lambda line: say(f"• {line}"), cancel=cancel)
    except StageError as exc:
        _stage_error(exc)
    if report.held:
        say(f"• {approval_hint(day)}")
    if report.summary and report.summary.failed:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def preview(
    ctx: typer.Context,
    date: DateOption = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free).")] = 8025,
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open a browser.")] = False,
) -> None:
    """Serve the edition on 127.0.0.1 (desktop, phone, text) and open the browser
    (without --date: today's, or the newest edition when today has none)."""
    from newsletter.pipeline import StageError
    from newsletter.web.launch import LaunchError, run_preview

    runtime = runtime_from(ctx)
    day = edition_date(runtime.settings, date) if date else None
    try:
        run_preview(runtime, day, port=port, open_browser=not no_open, say=say)
    except LaunchError as exc:
        fail(str(exc), _launch_exit_code(exc))
    except StageError as exc:
        _stage_error(exc)


@app.command()
def schedule(ctx: typer.Context) -> None:
    """Run `daily` every day at send_time (foreground, for systemd/containers)."""
    from newsletter.cli.scheduling import run_schedule

    settings = settings_from(ctx)
    run_schedule(settings, ctx.ensure_object(dict).get("config"))


@app.command()
def status(
    ctx: typer.Context,
    date: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--date", help="Only the edition of YYYY-MM-DD (default: the last 7)."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Stage, sent / failed / pending / ambiguous, pace, unsubscribes and bounces per edition
    (the last 7 without --date); exit 1 when the newest one failed."""
    from newsletter.cli.status import print_statuses
    from newsletter.operations.status import edition_statuses

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date) if date else None
    statuses = edition_statuses(runtime, day)
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
    """Delivery and engagement per edition: sent, delivered, bounced, complained, opened,
    clicked (per story), unsubscribed, list size."""
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
    except LaunchError as exc:
        fail(str(exc), _launch_exit_code(exc))


def _launch_exit_code(exc: Exception) -> int:
    from newsletter.web.launch import LaunchRefused

    return EXIT_USAGE if isinstance(exc, LaunchRefused) else EXIT_FAILED


def _approval_hold(runtime: Runtime, day: date) -> str:
    from newsletter.cli.hints import approval_hint
    from newsletter.operations.approval import ApprovalError, released

    try:
        hold = released(runtime, day, runtime.clock.now())
    except ApprovalError as exc:
        return str(exc)
    if hold is None:
        return ""
    return f"{hold.reason}; {approval_hint(day)}" if hold.approvable else hold.reason


@app.command()
def approve(ctx: typer.Context, date: DateOption = None) -> None:
    """Release an edition held for approval (approval = "manual"); `schedule` then sends it."""
    from newsletter.operations.approval import ApprovalError
    from newsletter.operations.approval import approve as approve_edition

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date)
    try:
        decision = approve_edition(runtime, day, runtime.clock.now())
    except ApprovalError as exc:
        fail(str(exc), EXIT_FAILED)
    say(
        f"approved the edition of {day} (as {decision.by}); a running `newsletter schedule` "
        f"sends it within a minute, or run `newsletter daily --date {day}`"
    )


@app.command()
def reject(
    ctx: typer.Context,
    date: DateOption = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the edition).")] = "",
) -> None:
    """Drop an edition held for approval: nothing is sent for that day."""
    from newsletter.operations.approval import ApprovalError
    from newsletter.operations.approval import reject as reject_edition

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date)
    try:
        reject_edition(runtime, day, runtime.clock.now(), reason)
    except ApprovalError as exc:
        fail(str(exc), EXIT_FAILED)
    say(f"rejected the edition of {day}: nothing is sent for that day")


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
        report = run_poll(settings.feedback, settings.sender.region, lambda: runtime.subscribers)
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
