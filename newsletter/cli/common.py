"""What every command shares: the loaded settings and clean failure.

The CLI promises exit statuses (0 done, 1 the job failed, 2 bad usage or config)
and one-line errors; these helpers are the only place that promise is kept.
"""

from __future__ import annotations

import errno
import re
import sys
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer
from typer.core import TyperGroup

from newsletter.cli.output import error_line, say
from newsletter.files import WriteFailed

if TYPE_CHECKING:
    from datetime import date

    from newsletter.config import Settings
    from newsletter.runtime import Runtime

#: `--date YYYY-MM-DD` and `--json`, as every command spells them.
DateOption = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on 3.11
    typer.Option(
        "--date", help="Edition date YYYY-MM-DD (default: today in the newsletter's zone)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print one line on stderr and exit with `code`: no traceback ever reaches a user."""
    say(error_line(message), err=True)
    raise typer.Exit(code)


class Guarded(TyperGroup):
    """Runs a command so that the machine's failures end as one line, never a traceback.

    A full or read-only disk, a folder that is a file, a database that is away or
    locked by another process for longer than the busy timeout: these are the
    operator's to fix, and a traceback only hides the one fact that matters (what,
    and where). Anything else is a bug and keeps its traceback.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # Commands that can stop halfway say so themselves (send, daily, import);
            # the rest replace their files whole, so a second run finishes the job.
            fail("interrupted before the end; run the command again to finish", EXIT_INTERRUPTED)
        except Exception as exc:
            settings = (ctx.obj or {}).get("settings") if isinstance(ctx.obj, dict) else None
            line = failure_line(exc, settings)
            if line is None:
                raise
            fail(line, EXIT_FAILED)


def failure_line(exc: BaseException, settings: Settings | None) -> str | None:
    """One line naming what failed and where, for a failure of the environment; else None."""
    if isinstance(exc, OSError) and exc.errno != errno.EPIPE:  # click handles a closed pipe
        if exc.filename is None or isinstance(exc, WriteFailed):  # says what it could not do
            return str(exc)
        where = str(exc.filename) + (f" → {exc.filename2}" if exc.filename2 else "")
        return f"{where}: {exc.strerror or type(exc).__name__}"
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            from newsletter import db
            from newsletter.config import database_url

            url = database_url(settings) if settings is not None else ""
            return db.describe_error(exc, url)
    return None


def settings_from(ctx: typer.Context) -> Settings:
    """The settings for this invocation, loaded once from `--config` (exit 2 on any problem).

    Variables from a `.env` file in the config's folder are set for the command's
    duration unless the environment already has them (see `newsletter.environment`).
    """
    from newsletter.config import CONFIG_ENV, ConfigError, ConfigNotFound, load_settings
    from newsletter.environment import EnvFileError, apply_env_file

    state: dict[str, Any] = ctx.ensure_object(dict)
    if "settings" not in state:
        try:
            settings = load_settings(state.get("config"))
            # Secrets in a `.env` beside the config; taken back when the command ends.
            ctx.call_on_close(apply_env_file(settings.root).undo)
        except ConfigNotFound as exc:
            if exc.path.is_dir():  # the message already says which file to pass
                fail(str(exc), EXIT_USAGE)
            fail(f"{exc} (pass --config, set ${CONFIG_ENV}, or run `newsletter init`)", EXIT_USAGE)
        except (ConfigError, EnvFileError) as exc:
            fail(str(exc), EXIT_USAGE)
        state["settings"] = settings
    return state["settings"]


def runtime_from(ctx: typer.Context) -> Runtime:
    """The runtime of this invocation, built once from its settings and handed down.

    Building it opens nothing: the engine, the key and the transport are made
    when a command first uses them (see `newsletter.runtime`).
    """
    from newsletter.runtime import Runtime

    state: dict[str, Any] = ctx.ensure_object(dict)
    if "runtime" not in state:
        state["runtime"] = Runtime(settings_from(ctx))
    return state["runtime"]


def edition_date(settings: Settings, value: str | None) -> date:
    """`--date YYYY-MM-DD`, or today in the newsletter's time zone."""
    from datetime import date

    if value is None:
        return settings.today()
    # fromisoformat also takes 20260207 and 2026-W06-6: one spelling, as every output has it
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        fail(f"--date must be YYYY-MM-DD, found {value!r}", EXIT_USAGE)
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--date {value} is not a day of the calendar", EXIT_USAGE)
