"""One briefing → one Edition (HTML, text, post), checked, and written atomically.

The edition is rendered once per day, never per recipient: per-recipient values
are placeholders (`%%UNSUBSCRIBE_URL%%`) that `send` substitutes in the strings.
"""

from __future__ import annotations

from pathlib import Path

from newsletter.files import replace_together
from newsletter.model import Briefing, Edition
from newsletter.render.context import build_view, web_copy
from newsletter.render.options import RenderOptions

FILES = {"html": "email.html", "text": "email.txt", "markdown": "post.md", "web_html": "web.html"}


def build_edition(briefing: Briefing, options: RenderOptions) -> Edition:
    """Render all three formats without running the gates (the benchmark and preview use it)."""
    from newsletter.render.markdown import render_post
    from newsletter.render.stencil import render_html_and_web
    from newsletter.render.text import render_text

    templates = options.templates
    view = build_view(briefing, options)
    html, web_html = render_html_and_web(view, web_copy(view), templates)
    return Edition(
        date=briefing.date,
        subject=view.subject,
        preheader=view.preheader,
        html=html,
        text=render_text(view, templates),
        markdown=render_post(view, options.send_moment(briefing.date), templates),
        web_html=web_html,
    )


def render_web_html(briefing: Briefing, options: RenderOptions) -> str:
    """The edition as a public web page: the email's design, nothing personal in it."""
    from newsletter.render.stencil import render_html

    return render_html(build_view(briefing, options, web=True), options.templates)


def render_edition(briefing: Briefing, options: RenderOptions) -> Edition:
    """The checked edition; raises `CheckFailed` (one line per failed rule) on any gate."""
    from newsletter.render.checks import enforce

    edition = build_edition(briefing, options)
    enforce(edition, briefing)
    return edition


def write_edition(edition: Edition, directory: Path) -> list[Path]:
    """`email.html`, `email.txt`, `post.md`, `web.html` in `directory`, replaced together.

    A reader (the preview server, a concurrent `send`) sees either the old or the
    new files, never half of one; a failed write (a full disk) leaves the old ones.
    """
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        directory / name: getattr(edition, attribute)
        for attribute, name in FILES.items()
        if getattr(edition, attribute) or attribute != "web_html"
    }
    replace_together(files)
    return list(files)
