"""Fixtures: the Korean and English briefings, settings, and their rendered editions."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from newsletter.config import Settings
from newsletter.model import Briefing, Edition
from newsletter.render.environment import DEFAULT_TEMPLATES, TEMPLATES_ENV
from newsletter.runtime import render_options
from tests.fixtures.site import make_site

DATA = Path(__file__).parent / "data"

POSTAL = "서울특별시 중구 세종대로 110, 04524"
SENDER = "Daily Briefing <briefing@example.com>"


def make_settings(
    language: str, tmp: Path, render: dict[str, str] | None = None, **newsletter: str
) -> Settings:
    """The test site in `tmp`, with the config's own base_url and data_dir defaults (the
    golden editions in data/golden were rendered with them)."""
    return make_site(
        tmp,
        newsletter={
            "language": language,
            "postal_address": POSTAL if language == "ko" else "1 Example Street, Springfield",
            "base_url": None,
            "data_dir": None,
            **newsletter,
        },
        sender={"from": SENDER},
        render=render or {},
    ).settings


def load_briefing(language: str) -> Briefing:
    return Briefing.from_json((DATA / f"briefing-{language}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def briefing_ko() -> Briefing:
    return load_briefing("ko")


@pytest.fixture(scope="session")
def briefing_en() -> Briefing:
    return load_briefing("en")


@pytest.fixture(scope="session")
def settings_ko(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings("ko", tmp_path_factory.mktemp("ko"))


@pytest.fixture(scope="session")
def settings_en(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings("en", tmp_path_factory.mktemp("en"))


@pytest.fixture(scope="session")
def edition_ko(briefing_ko: Briefing, settings_ko: Settings) -> Edition:
    from newsletter.render import render_edition

    return render_edition(briefing_ko, render_options(settings_ko))


@pytest.fixture(scope="session")
def edition_en(briefing_en: Briefing, settings_en: Settings) -> Edition:
    from newsletter.render import render_edition

    return render_edition(briefing_en, render_options(settings_en))


def with_stories(briefing: Briefing, count: int) -> Briefing:
    """`briefing` with `count` stories, cycling through its own (headlines made unique)."""
    stories = []
    for index in range(count):
        story = briefing.stories[index % len(briefing.stories)]
        stories.append(replace(story, headline=f"{story.headline} #{index + 1}"))
    return replace(briefing, stories=stories)


#: Headlines that used to stop the edition (issue 16): the text wrapper broke them.
CHINESE_60 = (
    "人工智能公司发布新一代大模型引发行业震动各大科技企业纷纷加快研发步伐以应对日益激烈的"
    "市场竞争和监管压力同时投资者表现兴趣"
)
ENGLISH_WORD_80 = ("Supercalifragilisticexpialidocious" * 3)[:80]
LONG_TITLE = ("Regulators publish a very long consultation paper on model audits " * 400)[:20000]
ORDINARY = [
    "Chipmaker doubles output of AI accelerators",
    "Open-source database adds vector search",
    "City pilots autonomous buses downtown",
]


@pytest.fixture
def truncating_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An operator's restyled text edition that cuts headlines and source titles at 80
    characters: a story with a longer headline then fails `headlines-text`, others do not."""
    folder = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, folder)
    template = folder / "edition.txt.j2"
    text = template.read_text(encoding="utf-8")
    cut = '| truncate(80, true, "...", 0)'
    text = text.replace("story.title_line |", f"story.title_line {cut} |")
    text = text.replace("(source.title ~", f"(source.title {cut} ~")
    template.write_text(text, encoding="utf-8")
    monkeypatch.setenv(TEMPLATES_ENV, str(folder))
    return folder
