"""Feed text in the Jekyll post: no Liquid, kramdown or front-matter syntax survives.

Somebody else's Jekyll renders `post.md` with Liquid first, then kramdown, so any
delimiter from a feed would run there with the site's variables in scope. The
post is rendered through the real templates, then given to a real Liquid engine
(python-liquid) and a real YAML parser (PyYAML) where they are installed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.model import Briefing, Source
from newsletter.render.checks import _unmark
from newsletter.render.context import SourceView, one_line
from newsletter.render.markdown import md, md_link, yaml_scalar
from newsletter.runtime import render_options

PAYLOAD = "Plain text {% endraw %}LEAK:{{ site.secret_token }}{% raw %} more"
RELATIVES = [
    PAYLOAD,
    "{%- endraw -%}LEAK:{{- site.secret_token -}}{%- raw -%}",
    "{% endraw%}{{site.secret_token}}",
    "{%endraw%}{% assign x = site.secret_token %}{{ x }}",
    "{{ site.secret_token }}",
    "{% comment %}hidden{% endcomment %}",
    "{% include ../../_config.yml %}",
    "a { { b } } {%% %%} %} }} {",
    "{: onclick='alert(1)'} {::comment} hidden {:/comment}",
    "[click](javascript:alert(1)) ![x](http://evil.example/x.png) [id]: http://evil.example",
    "`{{ code }}` <script>alert(1)</script> \\{{ escaped }}",
    "line one\n---\ntitle: owned\n---\n# heading\n{{ site.secret_token }}",
    "ends with {",
    "} starts with a brace",
    "%} starts with a tag end",
]
SECRET = "s3cr3t-value"


def _poisoned(briefing: Briefing, text: str) -> Briefing:
    """Every feed-derived field of the briefing carries `text`."""
    story = briefing.stories[0]
    story = replace(
        story,
        headline=f"Headline {text}",
        section=text,
        summary_title=text,
        summary=[text, f"second {text}"],
        why_title=text,
        why=[text],
        takeaway=text,
        sources=[Source(title=text, url=f"https://example.org/a?q={text}")],
    )
    return replace(briefing, title=text or "t", intro=[text], stories=[story], outro=[text])


def _liquid_render(post: str) -> str | None:
    """The post after a real Liquid engine ran it with a secret in `site`, or None if absent."""
    try:
        from liquid import Environment
    except ImportError:
        return None
    return Environment().from_string(post).render(site={"secret_token": SECRET})


def _front_matter(post: str) -> dict:
    match = re.match(r"\A---\n(.*?)\n---\n", post, re.DOTALL)
    assert match, "the post does not open with a front-matter block"
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def _assert_inert(post: str) -> None:
    body = post.split("\n---\n", 1)[1]
    for delimiter in ("{{", "{%", "%}", "}}", "{:"):
        assert delimiter not in body, delimiter
    # no link or image other than the `[title](url)` source links we write
    text = re.sub(r"\]\(https://[^\s()]*\)", "]", body)  # our link targets aside
    assert len(re.findall(r"(?<!\\)\[", text)) == body.count("](https://"), body
    assert "<script" not in body
    rendered = _liquid_render(post)
    if rendered is not None:
        assert SECRET not in rendered
        assert rendered == post  # Liquid finds nothing to do in the post


@pytest.mark.parametrize("text", RELATIVES)
def test_feed_text_cannot_run_liquid_in_the_post(text: str, briefing_en, settings_en) -> None:
    from newsletter.render import render_edition

    post = render_edition(_poisoned(briefing_en, text), render_options(settings_en)).markdown
    _assert_inert(post)
    # the reader still sees the text: one line, braces and all, once Markdown is decoded
    visible = " ".join(text.split())
    assert visible in " ".join(unescape(_unmark(post)).split())
    assert _front_matter(post)["layout"] == "post"


def test_the_issue_payload_stays_out_of_liquid(briefing_en, settings_en) -> None:
    from newsletter.render import render_edition

    story = replace(briefing_en.stories[0], summary=[PAYLOAD])
    post = render_edition(
        replace(briefing_en, stories=[story]), render_options(settings_en)
    ).markdown
    assert "{% endraw %}LEAK" not in post
    assert "&#123;% endraw %&#125;LEAK:&#123;&#123; site.secret_token &#125;&#125;" in post
    _assert_inert(post)


@pytest.mark.parametrize(
    "title",
    [
        "Title\n---\nlayout: evil\n---",
        "x\u2028---\u2028layout: evil",
        "x\x85layout: evil",
        "---",
        "layout: evil",
        "a # comment",
        "'quoted' start",
        '"dq',
        "&anchor *alias",
        "!!python/object:os.system",
        "%YAML 1.2",
        "@at",
        "`tick",
        "yes",
        "Null",
        "~",
        "1e3",
        "0x1F",
        "{{ site.secret_token }}",
        "[a, b]",
        "\x7f\x9f\ufeffbom",
        "trailing ",
        "tab\tinside",
        "emoji 😀 and 한국어",
    ],
)
def test_front_matter_title_round_trips(title: str, briefing_en, settings_en) -> None:
    from newsletter.render import build_edition

    post = build_edition(replace(briefing_en, title=title), render_options(settings_en)).markdown
    front = _front_matter(post)
    assert front["title"] == one_line(title)  # the view squashes whitespace, drops controls
    assert front["layout"] == "post"
    assert set(front) == {"categories", "date", "layout", "tags", "title"}


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.text(
            alphabet="0123456789.-+:_eExXoObBtTzZ ~yYnN<=!&*%@`'\"#[]{},|>?aA\t\n", max_size=10
        ),
    )
)
def test_yaml_scalar_always_parses_back(value: str) -> None:
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(f"key: {yaml_scalar(value)}\n") == {"key": value}


_DELIMITED = st.lists(
    st.sampled_from(
        [
            "{{",
            "}}",
            "{%",
            "%}",
            "{%-",
            "-%}",
            "{{-",
            "-}}",
            "{",
            "}",
            "%",
            "-",
            " ",
            "raw",
            "endraw",
            "\n",
            "---",
            "[",
            "]",
            "(",
            ")",
            "`",
            "\\",
            "<",
            "#",
            "a",
            "가",
            ":",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=_DELIMITED, second=_DELIMITED)
def test_no_delimiter_survives_or_forms_at_a_seam(first: str, second: str) -> None:
    """Two pieces of feed text side by side (or next to ours) never make a delimiter."""
    for text in (
        md(first) + md(second),
        md_link(SourceView(1, first, f"https://x.example/{second}", "x")),
        md(first + second),
    ):
        for delimiter in ("{{", "{%", "%}", "}}", "{:"):
            assert delimiter not in text
        assert "\n" not in text
        if _liquid_render(text) is not None:
            assert _liquid_render(text) == text
    # and nothing was lost: decoding gives back the text, on one line
    assert unescape(_unmark(md(first))) == re.sub(r"\n+", " ", first).strip()


def test_entity_like_text_reads_the_same_in_the_post(briefing_en, settings_en) -> None:
    """A double-escaped feed title says `AT&amp;T` in the mail; the post must say the same
    (kramdown would show `AT&T`), or the headline gate stops the edition."""
    from newsletter.render import render_edition

    story = replace(briefing_en.stories[0], headline="AT&amp;T and &#123; braces &lt;b&gt;")
    post = render_edition(
        replace(briefing_en, stories=[story]), render_options(settings_en)
    ).markdown
    assert "AT&amp;amp;T and &amp;#123; braces &amp;lt;b&amp;gt;" in post
