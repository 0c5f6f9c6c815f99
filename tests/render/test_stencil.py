"""The stencilled HTML is byte for byte the HTML rendered through every step.

`render_html` fills the stencil of the edition's shape with the day's words; it must
answer exactly what Jinja → MJML → premailer answers for any words a feed or an editor
can put in a briefing, on a first render (the stencil is made) and on every later
one (the stencil is reused), and step aside whenever it cannot be sure.
"""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from newsletter.config import Settings
from newsletter.model import Briefing, Source, Story
from newsletter.render import stencil
from newsletter.render.context import EditionView, build_view, web_copy
from newsletter.render.environment import DEFAULT_TEMPLATES, TEMPLATES_ENV
from newsletter.render.html import render_html as render_html_whole
from newsletter.render.stencil import render_html, render_html_and_web
from newsletter.runtime import render_options
from tests.render.conftest import make_settings, with_stories

#: Words that exercise every escaping path: markup, entities, quotes, comment and CDATA
#: openers, scripts of several widths, combining marks, emoji sequences, right-to-left text.
NASTY = [
    "A & B",
    "<script>alert(1)</script>",
    "&amp; &lt;b&gt; &#x41; &nbsp; &copy",
    "\"quoted\" and 'single'",
    "<!-- not a comment --> ]]> <![CDATA[ x ]]>",
    "생성형 AI 규제 초안 발표",
    "人工智能公司发布新一代大模型",
    "e\u0301\u0302 combining",
    "👩\u200d💻 🇰🇷 ❤️ family 👨\u200d👩\u200d👧",
    "שלום עולם مرحبا",
    "%%UNSUBSCRIBE_URL%% %%NAME%% {{ v.title }} {% raw %}",
    "back\\slash and tab-like \u2003 em space",
    "x" * 300,
    "a  b",  # one_line collapses it, a config value may not
]
URLS = [
    "https://example.com/a?b=1&c=2#frag",
    "https://例え.jp/パス?q=한국어",
    'https://example.com/"quote"/<angle>',
    "https://example.com/%20space%41",
    "http://example.com/path with space",
]


def random_words(rng: random.Random) -> str:
    return " ".join(rng.choice(NASTY) for _ in range(rng.randint(1, 3)))


def random_briefing(rng: random.Random, stories: int) -> Briefing:
    """A briefing of any shape: empty optional parts, 0–3 sources, nasty words."""

    def words() -> str:
        return random_words(rng)

    def maybe() -> str:
        return words() if rng.random() < 0.7 else ""

    return Briefing(
        date=date(2026, 2, rng.randint(1, 28)),
        title=words(),
        language=rng.choice(["ko", "en"]),
        intro=[words() for _ in range(rng.randint(0, 3))],
        stories=[
            Story(
                emoji=rng.choice(["🤖", "", "📈", "🇰🇷"]),
                headline=words(),
                summary_title=maybe(),
                summary=[words() for _ in range(rng.randint(1, 3))],
                why_title=maybe(),
                why=[words() for _ in range(rng.randint(0, 2))],
                takeaway=maybe(),
                sources=[
                    Source(title=words(), url=rng.choice(URLS), publisher=maybe())
                    for _ in range(rng.randint(0, 3))
                ],
                section=rng.choice(["", "policy", "research", "Industry & Money"]),
            )
            for _ in range(stories)
        ],
        outro=[words() for _ in range(rng.randint(0, 2))],
        subject=maybe(),
        preheader=maybe(),
    )


def stencilled(view: EditionView, templates: Path | None = None) -> str | None:
    """The view from its stencil: a shape seen once is rendered whole (None here), the
    second render makes the stencil."""
    return stencil.render_stencilled(view, templates) or stencil.render_stencilled(view, templates)


def assert_same(view: EditionView) -> None:
    html = stencilled(view)
    assert html is not None, "the bundled template should be stencilled"
    assert html == render_html_whole(view)


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("count", [1, 5, 30])
def test_the_fixtures_render_to_the_same_bytes_first_and_again(
    language: str, count: int, request: pytest.FixtureRequest
) -> None:
    briefing = with_stories(request.getfixturevalue(f"briefing_{language}"), count)
    view = build_view(briefing, render_options(request.getfixturevalue(f"settings_{language}")))
    for v in (view, web_copy(view)):
        assert_same(v)  # the stencil is made (or found) …
        assert_same(v)  # … and filled again


def test_random_words_and_shapes_render_to_the_same_bytes(settings_ko: Settings) -> None:
    rng = random.Random(20261206)
    options = render_options(settings_ko)
    for _ in range(24):
        view = build_view(random_briefing(rng, rng.randint(1, 6)), options)
        assert_same(view)
        assert_same(web_copy(view))
        pair = render_html_and_web(view, web_copy(view))  # the copies share their stories' walk
        assert pair == (render_html_whole(view), render_html_whole(web_copy(view)))


def test_one_shape_with_new_words_each_time_renders_each_words_own_bytes(
    settings_en: Settings,
) -> None:
    """The cache hit case: same shape, other words — nothing of the last words remains."""
    rng = random.Random(7)
    options = render_options(settings_en)
    shape = random_briefing(rng, 3)
    for _ in range(6):
        words = random.Random(rng.random())
        briefing = replace(
            shape,
            title=random_words(words),
            stories=[
                replace(
                    story,
                    headline=random_words(words),
                    summary=[random_words(words) for _ in story.summary],
                    sources=[replace(s, title=random_words(words)) for s in story.sources],
                )
                for story in shape.stories
            ],
        )
        assert_same(build_view(briefing, options))


def test_another_days_edition_of_the_same_counts_uses_the_stencil(
    briefing_ko: Briefing, settings_ko: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler's next day: other date, other words, same counts — the stencil made
    the day before serves it, to the bytes the whole path writes for that day."""
    options = render_options(settings_ko)
    today = with_stories(briefing_ko, 4)
    assert_same(build_view(today, options))
    made = []
    make = stencil._make
    monkeypatch.setattr(stencil, "_make", lambda v: made.append(v) or make(v))
    tomorrow = replace(
        today,
        date=date(2026, 3, 9),
        title=today.title.replace(today.date.isoformat(), "2026-03-09"),
        stories=[replace(s, headline=f"{s.headline} (다음 날)") for s in today.stories],
    )
    view = build_view(tomorrow, options)
    assert stencil.render_stencilled(view) == render_html_whole(view)
    assert made == []


def test_settings_values_render_to_the_same_bytes(tmp_path: Path, briefing_ko: Briefing) -> None:
    """Values from the config (name, address, footer, logo) are part of the shape."""
    settings = make_settings(
        "ko",
        tmp_path,
        name="Tech & <Talk>  Daily",
        postal_address='1 "Main" St & Co',
    )
    view = build_view(with_stories(briefing_ko, 2), render_options(settings))
    assert_same(view)
    assert_same(web_copy(view))


def test_concurrent_renders_of_one_shape_each_get_their_own_words(
    briefing_en: Briefing, settings_en: Settings
) -> None:
    """The preview server renders from several threads: a stencil is filled by one at a time."""
    options = render_options(settings_en)
    views = [
        build_view(
            replace(
                with_stories(briefing_en, 4), title=f"Edition number {i}", preheader=f"pre {i}"
            ),
            options,
        )
        for i in range(6)
    ]
    expected = [render_html_whole(view) for view in views]
    assert stencilled(views[0]) == expected[0]  # one shape: every thread fills this stencil
    results: dict[int, str | None] = {}

    def render(i: int) -> None:
        for _ in range(5):
            results[i] = stencil.render_stencilled(views[i])
            if results[i] != expected[i]:
                return

    threads = [threading.Thread(target=render, args=(i,)) for i in range(len(views))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[i] for i in range(len(views))] == expected


def test_a_customised_template_is_rendered_whole(
    tmp_path: Path, briefing_en: Briefing, settings_en: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A custom template may run filters over the words (`|upper`), which tokens would not
    survive: only the bundled template is stencilled, whichever way the folder is named."""
    folder = tmp_path / "templates"
    folder.mkdir()
    source = (DEFAULT_TEMPLATES / "edition.mjml.j2").read_text(encoding="utf-8")
    (folder / "edition.mjml.j2").write_text(
        source.replace("{{ story.title_line }}</h2>", "{{ story.title_line | upper }}</h2>"),
        encoding="utf-8",
    )
    view = build_view(with_stories(briefing_en, 2), render_options(settings_en))
    assert stencil.render_stencilled(view, folder) is None
    html = render_html(view, folder)
    assert view.stories[0].title_line.upper() in html
    monkeypatch.setenv(TEMPLATES_ENV, str(folder))
    assert stencil.render_stencilled(view) is None
    assert html == render_html(view)


def test_a_folder_without_the_html_template_keeps_the_stencil(
    tmp_path: Path, briefing_en: Briefing, settings_en: Settings
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "edition.txt.j2").write_text("custom text\n", encoding="utf-8")
    view = build_view(with_stories(briefing_en, 2), render_options(settings_en))
    assert stencilled(view, folder) == render_html_whole(view, folder)


def test_a_value_lxml_cannot_hold_is_rendered_whole(
    briefing_en: Briefing, settings_en: Settings
) -> None:
    """A config value with a control character: the stencil steps aside."""
    view = build_view(with_stories(briefing_en, 2), render_options(settings_en))
    assert stencil.render_stencilled(replace(view, title="bell \x07 here")) is None


def test_the_cache_keeps_a_bounded_number_of_stencils(
    briefing_en: Briefing, settings_en: Settings
) -> None:
    options = render_options(settings_en)
    for count in range(1, stencil.CACHE_SIZE + 4):
        assert stencilled(build_view(with_stories(briefing_en, count), options))
    assert len(stencil._cache) == stencil.CACHE_SIZE


def test_the_edition_takes_the_stencil_from_the_second_render_of_a_shape(
    briefing_ko: Briefing, settings_ko: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-off render (`newsletter daily` renders each edition once) makes no stencil:
    it would cost a whole render of its own. The second render of the shape makes it."""
    view = build_view(with_stories(briefing_ko, 11), render_options(settings_ko))
    whole = (render_html_whole(view), render_html_whole(web_copy(view)))
    made = []
    make = stencil._make
    monkeypatch.setattr(stencil, "_make", lambda v: made.append(v) or make(v))
    assert render_html_and_web(view, web_copy(view)) == whole
    assert made == []
    assert render_html_and_web(view, web_copy(view)) == whole
    assert len(made) == 2  # the email's and the web copy's
    assert render_html_and_web(view, web_copy(view)) == whole
    assert len(made) == 2
    assert render_html(view) == whole[0]
