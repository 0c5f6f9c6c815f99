"""Pages outside the edition (the web app's, the signup confirmation mail's): Jinja templates
in `templates/web/`, always autoescaped.

A deployment that restyles the edition with `$NEWSLETTER_TEMPLATES` can restyle
these pages the same way (`web/` inside that folder); a page it does not
override comes from the bundled templates.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from newsletter.render.environment import DEFAULT_TEMPLATES, template_dir

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def _environment(directory: str) -> Environment:
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

    loaders = [FileSystemLoader(directory), FileSystemLoader(str(DEFAULT_TEMPLATES / "web"))]
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=False,  # pages are fixed for the life of the server: no stat per request
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(name: str, **context: Any) -> str:
    return _environment(str(template_dir() / "web")).get_template(name).render(**context)
