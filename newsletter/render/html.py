"""The HTML edition: Jinja2 (autoescaped) → MJML → mjml-python → premailer.

mjml-python (MRML) lays out the responsive tables but does not inline CSS
(`mj-style inline="inline"` is ignored), so premailer inlines what MJML leaves in
`<style>` (its resets) for clients that drop `<style>`. Our own typography is
already inline in the template (a class stylesheet tripled premailer's time), and
rules that must stay in the head (phones, dark mode) sit in a
`data-premailer="ignore"` block. mjml/premailer/jinja2 are imported lazily.

This is the whole path, every step; `newsletter.render.stencil` gives the same bytes
for an edition whose shape the process has rendered before.
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


#: MRML's `<style>` blocks that hold only `@media` rules (the responsive columns), as
#: `re.compile(r"<style([^>]*)>(\s*@media)", re.IGNORECASE)` finds them in a str, spelled
#: out for the document's UTF-8 bytes: the str scan costs ~0.6 ms on a 30-story edition (an
#: emoji makes the whole string 4 bytes a character), the bytes scan a tenth of that. Every
#: code point that pattern matches is listed: `ſ` is an `s`, `İ`/`ı` are an `i`, and `\s` is
#: Unicode whitespace (`[^>]` needs no care: no byte of a multi-byte character is `>`).
_S = rb"(?:[sS]|\xc5\xbf)"
_I = rb"(?:[iI]|\xc4[\xb0\xb1])"
_SPACE = (
    rb"(?:[\t\n\x0b\x0c\r\x1c-\x1f ]|\xc2[\x85\xa0]|\xe1\x9a\x80"
    rb"|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80)"
)
_MEDIA_STYLE = re.compile(
    rb"<" + _S + rb"[tT][yY][lL][eE]([^>]*)>((?:" + _SPACE + rb")*@[mM][eE][dD]" + _I + rb"[aA])"
)
_IGNORED_STYLE = rb'<style\1 data-premailer="ignore">\2'
_DOCTYPE_FIRST = re.compile(r"\s*<!doctype", re.IGNORECASE)


def inline_css(html: str) -> str:
    """Inline the `<style>` rules; premailer drops the doctype, so it is put back.

    `@media` blocks cannot be inlined; premailer would only re-serialise them through
    cssutils (a quarter of its time), so they are marked to be passed through as written.
    """
    from newsletter.render.inliner import inliner

    return with_doctype(inliner().inline_utf8(prepared(html)))


def prepared(html: str) -> bytes:
    """The compiled document as premailer reads it: stripped, UTF-8, `@media` marked."""
    return _MEDIA_STYLE.sub(_IGNORED_STYLE, html.strip().encode("utf-8"))


def with_doctype(inlined: str) -> str:
    return inlined if _DOCTYPE_FIRST.match(inlined) else f"{DOCTYPE}\n{inlined}"


def render_html(view: EditionView, templates: Path | None = None) -> str:
    """The finished, inlined HTML edition (`templates`: `[render] templates_dir`)."""
    return inline_css(compile_mjml(render_mjml(view, templates), templates))


def render_html_and_web(
    view: EditionView, web: EditionView, templates: Path | None = None
) -> tuple[str, str]:
    """`render_html` of the email view and of its web copy, the same bytes, with the
    stories the two share inlined once (see `newsletter.render.pair`)."""
    from newsletter.render.inliner import inliner
    from newsletter.render.pair import inline_pair

    email_document, web_document = (
        prepared(compile_mjml(render_mjml(v, templates), templates)) for v in (view, web)
    )
    pair = inline_pair(email_document, web_document)
    if pair is None:
        premailer = inliner()
        return (
            with_doctype(premailer.inline_utf8(email_document)),
            with_doctype(premailer.inline_utf8(web_document)),
        )
    return with_doctype(pair[0]), with_doctype(pair[1])
