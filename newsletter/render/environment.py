"""Where the templates live and the two Jinja environments that read them.

HTML-bound templates (`*.mjml.j2`) autoescape, because every string in a
briefing comes from feeds or a hand edit and must never become markup; the
text edition and the Markdown post are not HTML and must not be escaped.
Jinja is imported lazily so `newsletter --help` stays fast.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment, Template

#: `$NEWSLETTER_TEMPLATES` lets a deployment restyle the edition without forking.
TEMPLATES_ENV = "NEWSLETTER_TEMPLATES"
DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def template_dir() -> Path:
    return Path(os.environ.get(TEMPLATES_ENV) or DEFAULT_TEMPLATES)


@cache
def _environment(directory: str, autoescape: bool) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=autoescape,
        undefined=StrictUndefined,  # a typo in a template fails the render, not the reader
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class RenderError(Exception):
    """A template (or the MJML it produced) is broken; the message is one line naming it."""


def get_template(name: str, **filters: Any) -> Template:
    """`name` from the templates folder; `.mjml.j2` templates autoescape, the rest do not."""
    env = _environment(str(template_dir()), name.endswith(".mjml.j2"))
    missing = {key: value for key, value in filters.items() if key not in env.filters}
    env.filters.update(missing)
    return env.get_template(name)


def render_template(name: str, filters: dict[str, Any] | None = None, **context: Any) -> str:
    """Render `name`; a customised template's mistake becomes one RenderError line."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    try:
        return get_template(name, **(filters or {})).render(**context)
    except TemplateNotFound:
        raise RenderError(f"{template_dir() / name}: template not found") from None
    except TemplateSyntaxError as exc:
        raise RenderError(f"{template_dir() / name}:{exc.lineno}: {exc.message}") from None
    except TemplateError as exc:
        raise RenderError(f"{template_dir() / name}: {exc}") from None
