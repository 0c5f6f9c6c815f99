"""The email and its web copy inlined together give premailer's whole-document bytes.

`inline_pair` inlines the stories the two documents share once; it must answer
exactly what inlining each document whole answers, and step aside (None) whenever a
rule could style a shared element differently in the two documents.
"""

from __future__ import annotations

import pytest

from newsletter.config import Settings
from newsletter.model import Briefing
from newsletter.render.context import build_view, web_copy
from newsletter.render.html import (
    compile_mjml,
    prepared,
    render_html,
    render_html_and_web,
    render_mjml,
)
from newsletter.render.inliner import inliner
from newsletter.render.pair import inline_pair
from newsletter.runtime import render_options
from tests.render.conftest import with_stories


def documents(briefing: Briefing, settings: Settings, count: int) -> tuple[bytes, bytes]:
    view = build_view(with_stories(briefing, count), render_options(settings))
    email, web = (prepared(compile_mjml(render_mjml(v))) for v in (view, web_copy(view)))
    return email, web


def whole(document: bytes) -> str:
    return inliner().inline_utf8(document)


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("count", [1, 2, 7])
def test_the_shared_stories_are_inlined_once_to_the_same_bytes(
    language: str, count: int, request: pytest.FixtureRequest
) -> None:
    briefing = request.getfixturevalue(f"briefing_{language}")
    settings = request.getfixturevalue(f"settings_{language}")
    email, web = documents(briefing, settings, count)
    pair = inline_pair(email, web)
    assert pair is not None, "the bundled template should take the shortcut"
    assert pair == (whole(email), whole(web))


def _with_style(document: bytes, css: bytes) -> bytes:
    return document.replace(b"</head>", b"<style>" + css + b"</style></head>", 1)


@pytest.mark.parametrize(
    ("email_css", "web_css"),
    [
        (b"div p { color: red }", b"div p { color: red }"),  # depends on the ancestors
        (b"td:first-child { color: red }", b"td:first-child { color: red }"),
        (b"p + p { color: red }", b"p + p { color: red }"),
        (b"p { color: red }", b"p { color: blue }"),  # the two sheets differ
    ],
)
def test_rules_that_could_style_shared_parts_differently_turn_the_shortcut_off(
    email_css: bytes, web_css: bytes, briefing_ko: Briefing, settings_ko: Settings
) -> None:
    email, web = documents(briefing_ko, settings_ko, 3)
    assert inline_pair(_with_style(email, email_css), _with_style(web, web_css)) is None


def test_a_rule_on_the_element_alone_keeps_the_shortcut_and_the_bytes(
    briefing_ko: Briefing, settings_ko: Settings
) -> None:
    email, web = documents(briefing_ko, settings_ko, 3)
    css = b"td.pad, [data-ogsc], p { letter-spacing: 0 } #nothing-here a { color: red }"
    email, web = _with_style(email, css), _with_style(web, css)
    pair = inline_pair(email, web)
    assert pair is not None
    assert pair == (whole(email), whole(web))


def test_render_html_and_web_is_render_html_of_each(
    briefing_en: Briefing, settings_en: Settings
) -> None:
    view = build_view(with_stories(briefing_en, 4), render_options(settings_en))
    assert render_html_and_web(view, web_copy(view)) == (
        render_html(view),
        render_html(web_copy(view)),
    )
