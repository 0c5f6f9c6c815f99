"""Where the templates live and the two Jinja environments that read them.

HTML-bound templates (`*.mjml.j2`) autoescape, because every string in a
briefing comes from feeds or a hand edit and must never become markup; the
text edition and the Markdown post are not HTML and must not be escaped.

A newsletter restyles its editions with `[render] templates_dir`: a template
found there wins, any other comes from the bundled folder, so a folder holding
only `edition.mjml.j2` is enough (and keeps working when a release adds a
template). Jinja is imported lazily so `newsletter --help` stays fast.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment, Template

#: The legacy way to point at custom templates; `[render] templates_dir` is the documented one.
TEMPLATES_ENV = "NEWSLETTER_TEMPLATES"
#: In a checkout the templates sit at the top level; an installed wheel carries them inside
#: the package (see `force-include` in pyproject.toml).
_PACKAGED = Path(__file__).resolve().parents[1] / "templates"
DEFAULT_TEMPLATES = (
    _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parents[2] / "templates"
)


def template_dir() -> Path:
    """The folder `$NEWSLETTER_TEMPLATES` names, else the bundled one (web pages still use it)."""
    return Path(os.environ.get(TEMPLATES_ENV) or DEFAULT_TEMPLATES)


@cache
def _environment(custom: str, autoescape: bool) -> Environment:
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

    folders = [custom, str(DEFAULT_TEMPLATES)] if custom else [str(DEFAULT_TEMPLATES)]
    return Environment(
        loader=ChoiceLoader([FileSystemLoader(folder) for folder in folders]),
        autoescape=autoescape,
        undefined=StrictUndefined,  # a typo in a template fails the render, not the reader
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class RenderError(Exception):
    """A template (or the MJML it produced) is broken; the message is one line naming it."""


def template_path(name: str, templates: Path | None) -> Path:
    """The file `name` is read from: the custom folder's copy when it has one."""
    if templates is not None and (templates / name).is_file():
        return templates / name
    return DEFAULT_TEMPLATES / name


def effective_templates(templates: Path | None) -> Path | None:
    """The custom folder a render reads: `templates`, else the legacy `$NEWSLETTER_TEMPLATES`."""
    legacy = os.environ.get(TEMPLATES_ENV)
    return Path(legacy) if templates is None and legacy else templates


def get_template(name: str, templates: Path | None = None, **filters: Any) -> Template:
    """`name` from `templates` or the bundled folder; `.mjml.j2` and `.html.j2` autoescape."""
    autoescape = name.endswith((".mjml.j2", ".html.j2", ".xml.j2"))
    env = _environment(str(templates) if templates else "", autoescape)
    missing = {key: value for key, value in filters.items() if key not in env.filters}
    env.filters.update(missing)
    return env.get_template(name)


def render_template(
    name: str,
    /,
    filters: dict[str, Any] | None = None,
    templates: Path | None = None,
    **context: Any,
) -> str:
    """Render `name`; a customised template's mistake becomes one RenderError line."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    templates = effective_templates(templates)
    try:
        return get_template(name, templates, **(filters or {})).render(**context)
    except TemplateNotFound as exc:
        raise RenderError(
            f"{template_path(str(exc.name), templates)}: template not found"
        ) from None
    except TemplateSyntaxError as exc:
        where = exc.filename or str(template_path(name, templates))
        raise RenderError(f"{where}:{exc.lineno}: {exc.message}") from None
    except TemplateError as exc:
        where = _failing_line(exc) or str(template_path(name, templates))
        raise RenderError(f"{where}: {exc}") from None


def _failing_line(exc: BaseException) -> str:
    """`file:line` of the template line that raised, '' when none is known.

    Jinja rewrites a render's traceback so that template code shows as frames of
    the template's own file and line; the innermost one is where the mistake is
    (an included template's line, not the include's).
    """
    where = ""
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{trace.tb_lineno}"
        trace = trace.tb_next
    return where


#: Three line breaks or more. Spelled out, not `\n{3,}`: a literal start lets the regex
#: engine jump to each candidate instead of trying a repeat at every position (8× faster).
_BLANK_LINES = re.compile("\n\n\n+")


def squeeze_blank_lines(text: str) -> str:
    """Runs of blank lines as one: templates are easier to read with generous ones, mail
    and posts are not."""
    return _BLANK_LINES.sub("\n\n", text)
