"""What to run next after an error, in the CLI's words.

The errors below the CLI carry facts — the missing file, the step that makes
it, the date, why a campaign stopped — and say what is wrong; the commands a
person types are the CLI's business, so they are spelled out here and only here
(the preview page, started by the CLI, shows the same line). The exit status is
chosen here too: the errors carry none.
"""

from __future__ import annotations

from datetime import date

from newsletter.cli.common import EXIT_FAILED, EXIT_USAGE
from newsletter.operations.daily import DailyBusy
from newsletter.pipeline import (
    HandEdited,
    InputMissing,
    NothingPicked,
    RenderOutdated,
    SendStopped,
    StageError,
    StageRefused,
)

_SEND_ADVICE = {
    "not-started": "; re-run `newsletter send --date {day}` once it is fixed",
    "quota": ": re-run `newsletter send --date {day}` when the quota frees up, "
    "or raise sender.daily_quota",
    "stopped": "; re-run `newsletter send --date {day}` to resume",
}


def stage_line(exc: StageError) -> str:
    """The error's one line with the advice that fits it."""
    if isinstance(exc, InputMissing):
        return f"{exc}; run `newsletter {exc.step} --date {exc.day}` first"
    if isinstance(exc, HandEdited):
        return f"{exc}; keep it, or re-draft with --force"
    if isinstance(exc, RenderOutdated):
        return f"{exc}; run `newsletter render --date {exc.day}` first"
    if isinstance(exc, SendStopped):
        return f"{exc}{_SEND_ADVICE.get(exc.kind, '').format(day=exc.day)}"
    if isinstance(exc, NothingPicked) and exc.candidates:
        return f"{exc}; see `newsletter draft --date {exc.day} --explain`"
    if isinstance(exc, DailyBusy):
        holder = "another `newsletter daily` run"
        if exc.runner and exc.since:
            holder = f"{holder} ({exc.runner}, since {exc.since})"
        return f"the edition of {exc.day} is being made by {holder}; not starting a second one"
    return str(exc)


def approval_hint(day: date | str) -> str:
    """What releases an edition held for approval."""
    return f"release it with `newsletter approve --date {day}`"


def stage_exit_code(exc: StageError) -> int:
    """2 when the setup must change before anything can work, 1 otherwise."""
    return EXIT_USAGE if isinstance(exc, StageRefused) else EXIT_FAILED
