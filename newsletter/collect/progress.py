"""The fetch progress bar: on a terminal only, so cron mails and `--json` stay clean."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn


class ProgressBar:
    def __init__(self, console: Any, total: int) -> None:
        self.progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task("Fetching feeds", total=total)
        self.progress.start()

    def advance(self) -> None:
        self.progress.advance(self.task)

    def stop(self) -> None:
        self.progress.stop()


def progress_bar(total: int) -> ProgressBar | None:
    """A bar on stderr when it is a terminal, else None."""
    console = Console(stderr=True)
    return ProgressBar(console, total) if console.is_terminal else None
