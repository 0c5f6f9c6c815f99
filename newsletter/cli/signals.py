"""Signals belong to the CLI: the domain below only ever sees a cancel event.

A service manager stops `send` or `daily` with SIGTERM. That ends the command
the way Ctrl-C does — cleanly and resumably: the event tells the campaign (and
`daily`, between its steps) to stop at the next batch, and the KeyboardInterrupt
ends a step that does not look at the event (a collect, a draft) at once.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sigterm_cancels() -> Iterator[threading.Event]:
    """For the block: SIGTERM sets the yielded event and interrupts like Ctrl-C."""
    cancel = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield cancel
        return

    def interrupt(_signum: int, _frame: object) -> None:
        cancel.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGTERM, previous)
