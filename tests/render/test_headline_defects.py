"""One feed's headline never stops the edition (issue 16, item 2).

A 60-character Chinese headline without spaces, an 80-character English "word" and a
20,000-character title go through the real draft (the offline writer) and the real
render; whatever one story's defect, the gates drop that story and the rest renders.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from newsletter.brief.draft import HEADLINE_COLUMNS
from newsletter.brief.frame import refit
from newsletter.columns import clip_columns, display_width, graphemes
from newsletter.model import Briefing
from newsletter.render import CheckFailed, render_edition
from newsletter.render.environment import DEFAULT_TEMPLATES, TEMPLATES_ENV
from newsletter.render.triage import render_checked
from newsletter.runtime import render_options
from tests.brief.factory import DAY, item, write_config
from tests.fixtures.edge import draft_for
from tests.render.conftest import CHINESE_60, ENGLISH_WORD_80, LONG_TITLE, ORDINARY


def _items(titles: list[str]) -> list:
    return [
        item(
            n,
            title,
            f"Report number {n} says the details follow in a longer piece next week.",
            site=f"site{n}.example",
            section=("ai", "tools", "hardware")[n % 3],
        )
        for n, title in enumerate(titles)
    ]


def _compact(text: str) -> str:
    return "".join(text.split())


def test_the_three_headlines_are_in_every_format(tmp_path: Path) -> None:
    assert len(CHINESE_60) == 60 and len(ENGLISH_WORD_80) == 80
    settings = write_config(tmp_path, max_stories=6, max_per_section=6)
    briefing = draft_for(
        _items([CHINESE_60, ENGLISH_WORD_80, LONG_TITLE, *ORDINARY]), settings, DAY
    )
    headlines = [story.headline for story in briefing.stories]
    assert CHINESE_60 in headlines and ENGLISH_WORD_80 in headlines  # short enough: kept whole
    [capped] = [h for h in headlines if h.startswith("Regulators publish")]
    assert capped.endswith("…") and display_width(capped) <= HEADLINE_COLUMNS
    assert not capped.endswith(" …")  # cut at a word, not before a dangling space

    # strict: every gate, nothing dropped
    edition = render_edition(briefing, render_options(settings))

    for headline in (CHINESE_60, ENGLISH_WORD_80, capped):
        assert _compact(headline) in _compact(edition.text)
    # the text edition still keeps to 72 columns: the wrapper broke the long ones
    assert max(display_width(line) for line in edition.text.splitlines()) <= 72
    assert len(edition.html.encode()) < 102 * 1024


def test_the_cap_counts_columns_and_never_splits_a_grapheme() -> None:
    assert clip_columns("가" * 100, 20) == "가" * 9 + "…"  # 18 + 1 columns
    assert clip_columns("a" * 100, 20) == "a" * 19 + "…"
    family = "👩‍👩‍👧‍👦"
    clipped = clip_columns(family * 30, 21)
    assert clipped.endswith("…") and set(graphemes(clipped[:-1])) == {family}
    assert clip_columns("e\u0301" * 50, 10) == "e\u0301" * 9 + "…"
    assert clip_columns("short", 20) == "short"


@pytest.mark.parametrize("headline", [CHINESE_60, ENGLISH_WORD_80, "x" * 20000, "👩‍👩‍👧‍👦" * 200])
def test_a_headline_the_text_wrapper_breaks_passes_the_gate(
    headline: str, briefing_en: Briefing, settings_en
) -> None:
    """A hand-edited briefing.json is not capped: the gate compares without inserted breaks."""
    story = replace(briefing_en.stories[0], headline=headline)
    edition = render_edition(
        replace(briefing_en, stories=[story, *briefing_en.stories[1:]]), render_options(settings_en)
    )
    assert _compact(headline) in _compact(edition.text)


@pytest.mark.parametrize("defect", ["\x00", "\ufffe", "\ud800", "\x1b[31m", "\x85"])
def test_characters_mjml_or_utf8_refuse_do_not_stop_the_render(
    defect: str, briefing_en: Briefing, settings_en
) -> None:
    headline = f"Breaking{defect} news"
    story = replace(briefing_en.stories[0], headline=headline)
    edition = render_edition(replace(briefing_en, stories=[story]), render_options(settings_en))
    assert "Breaking" in edition.text and defect not in edition.html
    edition.html.encode("utf-8")


def test_a_story_failing_a_gate_is_dropped_and_named(
    truncating_templates: Path, briefing_en: Briefing, settings_en
) -> None:
    long_headline = (
        "A headline that runs on well past eighty characters, which this restyled template cuts off"
    )
    stories = list(briefing_en.stories)
    stories[1] = replace(stories[1], headline=long_headline)
    briefing = replace(briefing_en, stories=stories)
    with pytest.raises(CheckFailed, match="headlines-text"):
        render_edition(briefing, render_options(settings_en))

    rendered = render_checked(briefing, render_options(settings_en))

    [dropped] = rendered.dropped
    assert dropped.number == 2 and dropped.headline == long_headline
    assert "headlines-text" in dropped.line() and "dropped story 2" in dropped.line()
    assert long_headline not in rendered.edition.html
    assert [s.headline for s in rendered.briefing.stories] == [
        s.headline for s in briefing.stories if s.headline != long_headline
    ]
    for story in rendered.briefing.stories:
        assert story.headline in rendered.edition.html


def test_the_frame_is_rewritten_for_the_stories_left(
    truncating_templates: Path, tmp_path: Path
) -> None:
    settings = write_config(tmp_path, max_stories=4, max_per_section=4)
    long_headline = (
        "A story whose headline is much longer than eighty characters, so the template cuts it"
    )
    briefing = draft_for(_items([*ORDINARY, long_headline]), settings, DAY)
    assert long_headline in [s.headline for s in briefing.stories]
    assert "4 stories" in briefing.intro[1] and "4 stories" in briefing.outro[0]

    rendered = render_checked(briefing, render_options(settings))

    assert [d.headline for d in rendered.dropped] == [long_headline]
    assert "3 stories" in rendered.briefing.intro[1] and "3 stories" in rendered.briefing.outro[0]
    assert "3 stories" in rendered.edition.text and "4 stories" not in rendered.edition.text
    assert long_headline not in rendered.edition.text


def test_refit_names_the_new_lead_and_keeps_hand_written_words(tmp_path: Path) -> None:
    settings = write_config(tmp_path, max_stories=4, max_per_section=4)
    briefing = draft_for(_items(ORDINARY), settings, DAY)
    lead, *rest = briefing.stories
    assert lead.headline in briefing.intro[1]

    refitted = refit(briefing, rest, settings.newsletter.name)

    assert lead.headline not in refitted.intro[1] and rest[0].headline in refitted.intro[1]
    assert "2 stories" in refitted.intro[1]
    edited = replace(briefing, intro=["Hello!", "My own words about today."])
    assert refit(edited, rest, settings.newsletter.name).intro == edited.intro


def test_an_edition_wide_failure_still_stops_the_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, briefing_en: Briefing, settings_en
) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, folder)
    template = folder / "edition.txt.j2"
    lines = template.read_text(encoding="utf-8").splitlines()
    template.write_text(
        "\n".join(line for line in lines if "unsubscribe" not in line), encoding="utf-8"
    )
    monkeypatch.setenv(TEMPLATES_ENV, str(folder))
    with pytest.raises(CheckFailed, match="unsubscribe-text"):
        render_checked(briefing_en, render_options(settings_en))


def test_when_every_story_fails_nothing_is_sent(
    truncating_templates: Path, briefing_en: Briefing, settings_en
) -> None:
    stories = [
        replace(s, headline=f"{s.headline} and then some more words to pass sixty")
        for s in briefing_en.stories
    ]
    with pytest.raises(CheckFailed, match="headlines-text"):
        render_checked(replace(briefing_en, stories=stories), render_options(settings_en))
