"""The commands of one edition's stages: collect, draft, render, send, and daily (all four).

Each parses its options, calls its stage (`newsletter.pipeline`, `operations.daily`)
with the command's runtime, and prints; a StageError becomes one line and an exit
status through `cli.hints`. Registered on the app in `cli/__init__.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

from newsletter.cli.approval import approval_hold
from newsletter.cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    DateOption,
    JsonOption,
    edition_date,
    fail,
    runtime_from,
)
from newsletter.cli.output import console, print_table, say, styled

if TYPE_CHECKING:
    from datetime import date

    from newsletter.model import Edition
    from newsletter.runtime import Runtime


def fail_stage(exc: Exception) -> NoReturn:
    """A StageError as one line and its exit status (`cli.hints`); anything else re-raised."""
    from newsletter.cli.hints import stage_exit_code, stage_line
    from newsletter.pipeline import StageError

    if isinstance(exc, StageError):
        fail(stage_line(exc), stage_exit_code(exc))
    raise exc


def collect(ctx: typer.Context, date: DateOption = None, json: JsonOption = False) -> None:
    """Fetch the feeds into editions/D/items.json."""
    from newsletter.collect.report import report_table
    from newsletter.pipeline import FEEDS_REPORT_NAME, ITEMS_NAME, StageError, collect_stage

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date)
    try:
        result = collect_stage(runtime, day, progress=not json and console.is_terminal)
    except StageError as exc:
        fail_stage(exc)
    directory = runtime.paths.edition_dir(day)
    if json:
        typer.echo(result.report_json())
    else:
        print_table(report_table(result))
        if result.ok:  # items.json is written only then
            count = len(result.items)
            say(f"{count} item{'s' * (count != 1)} → {directory / ITEMS_NAME}")
    if not result.ok:
        fail(
            f"every feed failed; nothing collected (see {directory / FEEDS_REPORT_NAME})",
            EXIT_FAILED,
        )


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
        fail_stage(exc)
    for story in briefing.stories:
        say(
            styled(
                "{emoji} {headline}  [dim]({sources})[/]",
                emoji=story.emoji,
                headline=story.headline,
                sources=f"{len(story.sources)} source{'s' * (len(story.sources) != 1)}",
            )
        )
    if explain:
        print_table(explain_table(report))
    for line in report.lines():
        say(line)
    stories = len(briefing.stories)
    where = runtime.paths.edition_dir(day) / "briefing.json"
    say(f"{stories} stor{'y' if stories == 1 else 'ies'} → {where}")


def render(ctx: typer.Context, date: DateOption = None) -> None:
    """Render email.html, email.txt, post.md and web.html from briefing.json."""
    from newsletter.pipeline import StageError, render_stage

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date)
    try:
        rendered = render_stage(runtime, day, say=say)
    except StageError as exc:
        fail_stage(exc)
    size = len(rendered.edition.html.encode("utf-8")) / 1024
    for dropped in rendered.dropped:
        say(dropped.line())
    say(
        f"rendered {runtime.paths.edition_dir(day)}: email.html ({size:.1f} KB), email.txt, "
        "post.md, web.html"
    )
    for warning in rendered.warnings():
        say(f"gate warning: {warning}")


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
    if to is not None:
        _check_test_address(to)
    try:
        if to or dry_run:
            _trial(runtime, day, load_rendered_edition(runtime.paths.edition_dir(day), day), to)
            return
        held = approval_hold(runtime, day)
        if held:
            fail(held, EXIT_FAILED)
        with SendProgress() as progress, sigterm_cancels() as cancel:
            summary = send_stage(
                runtime, day, resend_ambiguous=resend_ambiguous, progress=progress, cancel=cancel
            )
    except StageError as exc:
        fail_stage(exc)
    print_summary(summary, day)
    if summary.failed:
        raise typer.Exit(EXIT_FAILED)


def _check_test_address(to: str) -> None:
    """`--to` is checked before anything is loaded, and named in the error."""
    from newsletter.audience.addresses import InvalidAddress, parse_address

    try:
        parse_address(to)
    except InvalidAddress as exc:
        fail(f"--to {to!r} is not a valid address: {exc}", EXIT_USAGE)


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
        fail_stage(exc)
    if report.approvable:
        say(f"• {approval_hint(day)}")
    if report.summary and report.summary.failed:
        raise typer.Exit(EXIT_FAILED)
