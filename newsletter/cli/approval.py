"""`approve` and `reject`: an editor's decision on an edition held for approval
(`newsletter.approval = "manual"`), and the hold a plain `send` respects.
Registered on the app in `cli/__init__.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from newsletter.cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    DateOption,
    edition_date,
    fail,
    runtime_from,
)
from newsletter.cli.output import say

if TYPE_CHECKING:
    from datetime import date

    from newsletter.runtime import Runtime


def approval_hold(runtime: Runtime, day: date) -> str:
    """Why a plain `send` of `day` must wait ('' when it may go), with the `approve`
    command when approving would release it."""
    from newsletter.cli.hints import approval_hint
    from newsletter.operations.approval import ApprovalError, released

    try:
        hold = released(runtime, day, runtime.clock.now())
    except ApprovalError as exc:
        return str(exc)
    if hold is None:
        return ""
    return f"{hold.reason}; {approval_hint(day)}" if hold.approvable else hold.reason


def approve(ctx: typer.Context, date: DateOption = None) -> None:
    """Release an edition held for approval (approval = "manual"); `schedule` then sends it."""
    from newsletter.operations.approval import ApprovalError, NotManual
    from newsletter.operations.approval import approve as approve_edition

    runtime = runtime_from(ctx)
    settings = runtime.settings
    day = edition_date(settings, date)
    try:
        decision = approve_edition(runtime, day, runtime.clock.now())
    except NotManual as exc:
        fail(str(exc), EXIT_USAGE)
    except ApprovalError as exc:
        fail(str(exc), EXIT_FAILED)
    say(
        f"approved the edition of {day} (as {decision.by}); a running `newsletter schedule` "
        f"sends it within a minute, or run `newsletter daily --date {day}`"
    )


def reject(
    ctx: typer.Context,
    date: DateOption = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the edition).")] = "",
) -> None:
    """Drop an edition before it goes out: nothing is sent for that day (any approval mode)."""
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
