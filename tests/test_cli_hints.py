"""The advice after a stage error is the CLI's: the errors carry facts, the CLI words them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsletter.cli.hints import stage_exit_code, stage_line
from newsletter.operations.daily import DailyBusy
from newsletter.operations.lock import LockHeld
from newsletter.pipeline import (
    HandEdited,
    InputMissing,
    RenderOutdated,
    SendStopped,
    StageError,
    StageRefused,
)

DAY = date(2026, 2, 7)
BRIEFING = Path("editions/2026-02-07/briefing.json")


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            InputMissing(BRIEFING, "draft", DAY),
            f"{BRIEFING}: not found; run `newsletter draft --date 2026-02-07` first",
        ),
        (HandEdited(BRIEFING), f"{BRIEFING} was edited by hand; keep it, or re-draft with --force"),
        (
            RenderOutdated(BRIEFING, DAY),
            f"{BRIEFING} changed after the last render; "
            "run `newsletter render --date 2026-02-07` first",
        ),
        (
            SendStopped(
                "campaign interrupted (3 sent, 2 stay pending, nothing lost)", "stopped", DAY
            ),
            "campaign interrupted (3 sent, 2 stay pending, nothing lost); "
            "re-run `newsletter send --date 2026-02-07` to resume",
        ),
        (
            SendStopped(
                "the 24-hour sending quota is reached (0 sent now, 5 stay pending, nothing lost)",
                "quota",
                DAY,
            ),
            "the 24-hour sending quota is reached (0 sent now, 5 stay pending, nothing lost): "
            "re-run `newsletter send --date 2026-02-07` when the quota frees up, "
            "or raise sender.daily_quota",
        ),
        (
            SendStopped("campaign not started, nothing sent: paused", "not-started", DAY),
            "campaign not started, nothing sent: paused; "
            "re-run `newsletter send --date 2026-02-07` once it is fixed",
        ),
        (
            DailyBusy(LockHeld(DAY, "host pid 7", "2026-02-07 07:00:00 UTC")),
            "the edition of 2026-02-07 is being made by another `newsletter daily` run "
            "(host pid 7, since 2026-02-07 07:00:00 UTC); not starting a second one",
        ),
        (StageError("database: locked"), "database: locked"),
    ],
)
def test_the_cli_words_the_advice(error: StageError, line: str) -> None:
    assert stage_line(error) == line
    assert "newsletter " not in str(error)  # the domain's own message names no command


def test_exit_codes_are_the_cli_s() -> None:
    assert stage_exit_code(StageRefused("no secret key")) == 2
    assert stage_exit_code(InputMissing(BRIEFING, "draft", DAY)) == 1
    assert not hasattr(StageError("x"), "code")
