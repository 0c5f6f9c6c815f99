"""The remembering inliner gives premailer's own output, byte for byte (issue 22).

The golden editions check the two fixture briefings; this checks the inliner alone
against a plain Premailer with the same options, on editions of several sizes and
on stylesheets that exercise what premailer's helpers do (pseudo-classes kept in
the head, !important, `unset`, colours turned into attributes, a doctype spelled
as lxml spells it), twice in a row so that the second answer comes from the memo.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import premailer.premailer as premailer_module
import pytest
from premailer import Premailer, merge_style

from newsletter.config import Settings
from newsletter.model import Briefing
from newsletter.render.context import build_view
from newsletter.render.html import compile_mjml, render_mjml
from newsletter.render.inliner import inliner
from newsletter.runtime import render_options

STYLESHEETS = [
    "<!DOCTYPE html>\n<html><head><style>p { color: red; margin: 0 }</style></head>"
    "<body><p style='color: blue'>x</p><p>y</p></body></html>",
    "<html><head><style>a:hover { color: red } td { background-color: #abc; "
    "text-align: center; width: 20px !important } .x { color: unset; float: left }"
    "</style></head><body><table><tr><td class='x' style='height: 10px'>1</td>"
    "<td>2</td></tr></table><img class='x' style='float: right' src='a.png' alt=''>"
    "<a href='#t'>t</a></body></html>",
    "<html><body><p style='font-size:12px; font-size: 14px'>한국어</p></body></html>",
]


def plain() -> Premailer:
    return Premailer(
        allow_network=False,
        cssutils_logging_level=logging.CRITICAL,
        remove_classes=False,
        strip_important=False,
        disable_validation=True,
        disable_link_rewrites=True,
    )


def editions(briefing: Briefing, settings: Settings) -> list[str]:
    out = []
    for size in (1, 5, 12):
        stories = [
            replace(briefing.stories[i % len(briefing.stories)], headline=f"{i} headline")
            for i in range(size)
        ]
        view = build_view(replace(briefing, stories=stories), render_options(settings))
        out.append(compile_mjml(render_mjml(view)))
    return out


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_inliner_writes_what_premailer_writes(
    language: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    briefing: Briefing = request.getfixturevalue(f"briefing_{language}")
    settings: Settings = request.getfixturevalue(f"settings_{language}")
    inliner()  # swaps premailer's helpers for the remembered ones
    for html in [*editions(briefing, settings), *STYLESHEETS]:
        with monkeypatch.context() as original:  # premailer as shipped
            original.setattr(premailer_module, "merge_styles", merge_style.merge_styles)
            original.setattr(premailer_module, "csstext_to_pairs", merge_style.csstext_to_pairs)
            expected = plain().transform(html, pretty_print=True)
        assert inliner().inline(html) == expected
        assert inliner().inline(html) == expected  # from the memo this time
