"""render: one Briefing → the Edition (responsive HTML, plain text, archive post).

Cheap to import: mjml, premailer and jinja2 load on the first render.
"""

from newsletter.render.checks import CheckFailed, CheckResult, check_edition
from newsletter.render.edition import build_edition, render_edition, write_edition
from newsletter.render.environment import RenderError
from newsletter.render.options import Brand, RenderOptions

__all__ = [
    "Brand",
    "CheckFailed",
    "CheckResult",
    "RenderError",
    "RenderOptions",
    "build_edition",
    "check_edition",
    "render_edition",
    "write_edition",
]
