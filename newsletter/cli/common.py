"""What every command shares: the loaded settings and clean failure.

The CLI promises exit statuses (0 done, 1 the job failed, 2 bad usage or config)
and one-line errors; these helpers are the only place that promise is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

import typer

from newsletter.cli.output import error_line, say

if TYPE_CHECKING:
    from datetime import date

    from newsletter.config import Settings

EXIT_FAILED = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print one line on stderr and exit with `code`: no traceback ever reaches a user."""
    say(error_line(message), err=True)
    raise typer.Exit(code)


def settings_from(ctx: typer.Context) -> Settings:
    """The settings for this invocation, loaded once from `--config` (exit 2 on any problem).

    Variables from a `.env` file in the config's folder are set for the command's
    duration unless the environment already has them (see `newsletter.environment`).
    """
    from newsletter.config import ConfigError, load_settings
    from newsletter.environment import EnvFileError, apply_env_file

    state: dict[str, Any] = ctx.ensure_object(dict)
    if "settings" not in state:
        try:
            settings = load_settings(state.get("config"))
            # Secrets in a `.env` beside the config; taken back when the command ends.
            ctx.call_on_close(apply_env_file(settings.root).undo)
        except (ConfigError, EnvFileError) as exc:
            fail(str(exc), EXIT_USAGE)
        state["settings"] = settings
    return state["settings"]


def edition_date(settings: Settings, value: str | None) -> date:
    """`--date YYYY-MM-DD`, or today in the newsletter's time zone."""
    from datetime import date

    if value is None:
        return settings.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, found {value!r}", EXIT_USAGE)
