"""Everything the CLI prints goes through here, so that text we did not write prints as it is.

Rich reads `[word]` as markup and silently drops what it takes for a tag, and turns
`:name:` into an emoji: a config section `[publish]`, a feed title "[Update] Kernel
released", a path `/srv/[site]/`, a database error's `[SQL: …]` would lose pieces. So
both consoles have markup, emoji codes and highlighting off: a plain string prints
verbatim, and so do Rich table cells and titles, which the same console renders. Our own
colour is written as a fixed template whose `{placeholders}` are filled with plain
values (`styled`); that template is the only text Rich ever parses as markup.
"""

from __future__ import annotations

import json
from string import Formatter
from typing import Any, LiteralString

import typer
from rich.console import Console, RenderableType
from rich.text import Text


def _plain_console(*, stderr: bool, width: int | None = None) -> Console:
    return Console(stderr=stderr, width=width, markup=False, emoji=False, highlight=False)


console = _plain_console(stderr=False)
err_console = _plain_console(stderr=True)

_FORMATTER = Formatter()
_SLOT = "\ue000"  # a private-use character: never in our templates

#: Tables are not squeezed to 80 columns when the output is a file or a cron mail.
UNATTENDED_WIDTH = 120


def styled(template: LiteralString, /, **values: object) -> Text:
    """Our own markup (a literal) with `{name}` / `{name:spec}` placeholders filled from `values`.

    The template is parsed as markup with each placeholder held by a stand-in
    character; the values are then put in as plain text with the stand-in's style.
    No value is ever parsed, so no escaping can be incomplete (`rich.markup.escape`
    leaves `\\[` ambiguous, for one).
    """
    markup: list[str] = []
    filled: list[str] = []
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        markup.append(literal)
        if field is not None:
            value = _FORMATTER.convert_field(_FORMATTER.get_field(field, (), values)[0], conversion)
            filled.append(_FORMATTER.format_field(value, spec or ""))
            markup.append(_SLOT)
    rendered = Text.from_markup("".join(markup), emoji=False)
    line = Text()
    start = 0
    for value in filled:
        at = rendered.plain.index(_SLOT, start)
        line.append_text(rendered[start:at])
        piece = Text(value)
        for span in rendered[at : at + 1].spans:
            piece.stylize(span.style)
        line.append_text(piece)
        start = at + 1
    line.append_text(rendered[start:])
    return line


def say(line: str | Text, *, err: bool = False) -> None:
    """One line on stdout (or stderr): a `str` verbatim, a `styled` text with its style.

    Never wrapped at the terminal's width, so a cron mail or a log gets the line whole.
    """
    (err_console if err else console).print(line, soft_wrap=True)


def print_table(renderable: RenderableType, *, err: bool = False) -> None:
    """A table (or any other Rich renderable); wider than 80 columns when not on a terminal."""
    out = err_console if err else console
    if not out.is_terminal and out.width < UNATTENDED_WIDTH:
        out = _plain_console(stderr=err, width=UNATTENDED_WIDTH)
    out.print(renderable)


def one_line(message: str) -> str:
    """`message` with its line breaks folded into spaces: an error is one line, always."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def error_line(message: str) -> Text:
    """`error: message` as `fail` prints it."""
    return styled("[bold red]error:[/] {message}", message=one_line(message))


def print_json(data: Any) -> None:
    """Machine-readable output for `--json`: plain JSON on stdout, Unicode kept."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
