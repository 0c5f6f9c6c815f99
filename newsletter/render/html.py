"""The HTML edition: Jinja2 (autoescaped) → MJML → mjml-python → premailer.

mjml-python (MRML) lays out the responsive tables but does not inline CSS
(`mj-style inline="inline"` is ignored), so premailer inlines what MJML leaves in
`<style>` (its resets) for clients that drop `<style>`. Our own typography is
already inline in the template (a class stylesheet tripled premailer's time), and
rules that must stay in the head (phones, dark mode) sit in a
`data-premailer="ignore"` block. mjml/premailer/jinja2 are imported lazily.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from newsletter.render.environment import RenderError, render_template, template_path

if TYPE_CHECKING:
    from newsletter.render.context import EditionView

TEMPLATE = "edition.mjml.j2"
DOCTYPE = "<!doctype html>"

#: System fonts only (no web-font download, no tracking): Apple, Windows, Android, Linux,
#: each with a face that covers Hangul.
FONT_STACK = (
    "-apple-system, BlinkMacSystemFont, 'Apple SD Gothic Neo', 'Segoe UI', 'Malgun Gothic', "
    "'Noto Sans KR', 'Noto Sans CJK KR', Roboto, 'Helvetica Neue', Arial, sans-serif"
)

#: Invisible characters after the preheader so clients do not pad the inbox preview
#: with the first words of the body (the masthead). Kept short: every byte counts to 102 KB.
PREHEADER_FILLER = "&#847;&zwnj;&nbsp;" * 40


def render_mjml(view: EditionView, templates: Path | None = None) -> str:
    """The MJML source of the edition (step 1; also what the benchmark feeds each compiler)."""
    from markupsafe import Markup

    return render_template(
        TEMPLATE,
        templates=templates,
        v=view,
        font_stack=FONT_STACK,
        preheader_filler=Markup(PREHEADER_FILLER),
        stories_count=view.stories_count,
    )


def compile_mjml(source: str, templates: Path | None = None) -> str:
    """MJML → HTML with mjml-python; raises RenderError with MRML's one-line reason."""
    from mjml import mjml2html

    try:
        # fonts={}: MRML otherwise links Google Fonts for any known family in the stack
        # (Roboto, Open Sans, …): a tracking request per open, and a dead link offline.
        return mjml2html(source, disable_comments=True, fonts={})
    except ValueError as exc:
        message = " ".join(str(exc).split())
        where = template_path(TEMPLATE, templates)
        raise RenderError(f"{where}: MJML did not compile: {message}") from None


#: MRML's `<style>` blocks that hold only `@media` rules (the responsive columns).
_MEDIA_STYLE = re.compile(r"<style([^>]*)>(\s*@media)", re.IGNORECASE)


def inline_css(html: str) -> str:
    """Inline the `<style>` rules; premailer drops the doctype, so it is put back.

    `@media` blocks cannot be inlined; premailer would only re-serialise them through
    cssutils (a quarter of its time), so they are marked to be passed through as written.
    """
    from newsletter.render.inliner import inliner

    html = _MEDIA_STYLE.sub(r'<style\1 data-premailer="ignore">\2', html)
    inlined = inliner().inline(html)
    if not inlined.lstrip()[:9].lower().startswith("<!doctype"):
        inlined = f"{DOCTYPE}\n{inlined}"
    return inlined


def render_html(view: EditionView, templates: Path | None = None) -> str:
    """The finished, inlined HTML edition (`templates`: `[render] templates_dir`)."""
    return inline_css(compile_mjml(render_mjml(view, templates), templates))
