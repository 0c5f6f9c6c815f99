"""Quality gates: each one passes on a good edition and fails, by name, on a bad one."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from newsletter.model import UNSUBSCRIBE_PLACEHOLDER, Briefing, Edition
from newsletter.render.checks import (
    ERROR,
    GMAIL_CLIP_BYTES,
    WARN_BYTES,
    WARNING,
    CheckFailed,
    check_edition,
    enforce,
)
from newsletter.runtime import render_options
from tests.render.conftest import with_stories


def failed(edition: Edition, briefing: Briefing) -> dict[str, str]:
    return {r.rule: r.level for r in check_edition(edition, briefing) if not r.ok}


def with_html(edition: Edition, old: str, new: str, count: int = 1) -> Edition:
    assert old in edition.html
    return replace(edition, html=edition.html.replace(old, new, count))


def test_a_good_edition_passes_every_gate(edition_ko: Edition, briefing_ko: Briefing) -> None:
    results = check_edition(edition_ko, briefing_ko)
    assert [r for r in results if not r.ok] == []
    assert {r.level for r in results} == {ERROR, WARNING}
    assert len({r.rule for r in results}) == len(results) >= 15


def test_english_edition_passes(edition_en: Edition, briefing_en: Briefing) -> None:
    assert failed(edition_en, briefing_en) == {}


BODY = '<p class="greeting"'


@pytest.mark.parametrize(
    ("rule", "old", "new"),
    [
        ("no-script", BODY, '<script>alert("x")</script>' + BODY),
        ("no-script", BODY, "<SCRIPT src='https://evil.example/x.js'></SCRIPT>" + BODY),
        ("no-event-handlers", BODY, BODY + ' onclick="steal()"'),
        (
            "no-event-handlers",
            BODY,
            '<img alt="" src="https://x.example/a.png" onerror="x()">' + BODY,
        ),
        ("no-dangerous-links", BODY, '<a href="javascript:alert(1)">x</a>' + BODY),
        ("no-dangerous-links", BODY, '<a href=" JaVa&#10;Script:alert(1)">x</a>' + BODY),
        ("no-dangerous-links", BODY, '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>' + BODY),
        ("absolute-links", BODY, '<a href="/archive/2026-02-07">x</a>' + BODY),
        ("absolute-links", BODY, '<a href="archive.html">x</a>' + BODY),
        ("absolute-links", BODY, '<a href="//cdn.example.com/x">x</a>' + BODY),
        ("img-alt", BODY, '<img src="https://x.example/logo.png">' + BODY),
        ("unsubscribe-html", f'href="{UNSUBSCRIBE_PLACEHOLDER}"', 'href="https://x.example/u"'),
        ("utf8-declared", "charset=UTF-8", "charset=ISO-8859-1"),
        ("html-lang", '<html lang="ko"', '<html lang="en"'),
    ],
)
def test_each_gate_fails_on_a_crafted_bad_html(
    edition_ko: Edition, briefing_ko: Briefing, rule: str, old: str, new: str
) -> None:
    bad = with_html(edition_ko, old, new)
    assert failed(bad, briefing_ko) == {rule: ERROR}
    with pytest.raises(CheckFailed) as caught:
        enforce(bad, briefing_ko)
    assert [f.rule for f in caught.value.failures] == [rule]
    assert str(caught.value).startswith(f"{rule}: ")


def test_size_gate(edition_ko: Edition, briefing_ko: Briefing) -> None:
    padding = GMAIL_CLIP_BYTES - len(edition_ko.html.encode()) + 1
    bad = with_html(edition_ko, "</body>", f"<!-- {'x' * padding} --></body>")
    assert failed(bad, briefing_ko) == {"html-size": ERROR, "html-size-warning": WARNING}
    assert "Gmail clips above 102 KB" in str(
        CheckFailed([r for r in check_edition(bad, briefing_ko) if r.rule == "html-size"])
    )
    close = WARN_BYTES - len(edition_ko.html.encode()) + 1
    near = with_html(edition_ko, "</body>", f"<!-- {'x' * close} --></body>")
    assert failed(near, briefing_ko) == {"html-size-warning": WARNING}
    enforce(near, briefing_ko)  # a warning never stops a render


def test_text_and_post_gates(edition_ko: Edition, briefing_ko: Briefing) -> None:
    no_link = replace(edition_ko, text=edition_ko.text.replace(UNSUBSCRIBE_PLACEHOLDER, ""))
    assert failed(no_link, briefing_ko) == {"unsubscribe-text": ERROR}
    headline = briefing_ko.stories[2].headline
    no_text = replace(edition_ko, text=edition_ko.text.replace(headline, "다른 제목"))
    assert failed(no_text, briefing_ko) == {"headlines-text": ERROR}
    no_post = replace(edition_ko, markdown=edition_ko.markdown.replace(headline, "다른 제목"))
    assert failed(no_post, briefing_ko) == {"headlines-post": ERROR}
    no_preheader = replace(edition_ko, preheader="")
    assert failed(no_preheader, briefing_ko) == {"preheader": ERROR}
    stale = replace(edition_ko, preheader="a preview line that is not in the HTML")
    assert failed(stale, briefing_ko) == {"preheader": ERROR}


def test_several_failures_give_one_line_each(edition_ko: Edition, briefing_ko: Briefing) -> None:
    bad = with_html(edition_ko, BODY, '<script></script><img src="x.png">' + BODY)
    bad = replace(bad, text="nothing")
    with pytest.raises(CheckFailed) as caught:
        enforce(bad, briefing_ko)
    lines = str(caught.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "no-script",
        "absolute-links",
        "img-alt",
        "unsubscribe-text",
        "headlines-text",
    ]
    assert "x.png" in lines[1]


def test_render_edition_refuses_an_edition_gmail_would_clip(
    briefing_ko: Briefing, settings_ko
) -> None:
    from newsletter.render import build_edition, render_edition

    huge = with_stories(briefing_ko, 60)
    with pytest.raises(CheckFailed) as caught:
        render_edition(huge, render_options(settings_ko))
    assert [f.rule for f in caught.value.failures] == ["html-size"]
    assert len(build_edition(huge, render_options(settings_ko)).html.encode()) > GMAIL_CLIP_BYTES


def test_a_custom_template_with_a_script_is_refused(
    briefing_en: Briefing, settings_en, tmp_path, monkeypatch
) -> None:
    from newsletter.render import render_edition
    from newsletter.render.environment import DEFAULT_TEMPLATES, TEMPLATES_ENV

    for path in DEFAULT_TEMPLATES.glob("*.j2"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    mjml = tmp_path / "edition.mjml.j2"
    mjml.write_text(
        mjml.read_text(encoding="utf-8").replace(
            "</mj-head>", "<mj-raw><script>track()</script></mj-raw></mj-head>"
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv(TEMPLATES_ENV, str(tmp_path))
    with pytest.raises(CheckFailed, match=r"^no-script: 1 <script> element"):
        render_edition(briefing_en, render_options(settings_en))


def test_a_headline_missing_from_the_visible_html_fails(
    edition_ko: Edition, briefing_ko: Briefing
) -> None:
    head, _, body = edition_ko.html.partition('class="index"')
    body = body.replace("Benchmark, Cerebras에 2억", "Benchmark, Cerebras에 3억")
    bad = replace(edition_ko, html=f'{head}class="index"{body}')
    assert failed(bad, briefing_ko) == {"headlines-html": ERROR}


def test_a_headline_only_in_the_hidden_preheader_does_not_count(
    edition_ko: Edition, briefing_ko: Briefing
) -> None:
    headline = briefing_ko.stories[0].headline
    hidden = f'<div style="display:none">{headline}</div>'
    bad = with_html(edition_ko, f"{headline}</h2>", "다른 제목</h2>")
    bad = with_html(bad, f"{headline}</a></li>", "다른 제목</a></li>")  # the index at the top
    bad = replace(bad, html=re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + hidden, bad.html))
    assert failed(bad, briefing_ko) == {"headlines-html": ERROR}
