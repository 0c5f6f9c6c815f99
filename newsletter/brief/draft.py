"""Items → Briefing: select the stories, let the configured writer word them, frame them."""

from __future__ import annotations

from datetime import date

from newsletter.brief.select import select_stories
from newsletter.brief.writers.base import Writer
from newsletter.config import Settings
from newsletter.model import Briefing, Item

INTRO = {
    "ko": [
        "안녕하세요!",
        "{date} 데일리 테크 브리핑입니다. 지난 하루 동안 AI와 기술 분야에서 나온 소식 가운데 "
        "눈여겨볼 {count}건을 골라 핵심과 의미를 정리했습니다.",
    ],
    "en": [
        "Hello!",
        "Here is your tech briefing for {date}: {count} stories from the last day in AI and "
        "technology, each with what happened and why it matters.",
    ],
}
OUTRO = {
    "ko": ["오늘 브리핑은 여기까지입니다. 내일 아침에 다시 찾아오겠습니다."],
    "en": ["That's all for today. See you tomorrow morning."],
}
TITLE = {"ko": "{date} {name}", "en": "{date} {name}"}


class EmptyDay(Exception):
    """No items in the window: there is nothing to write, and nothing must be sent."""


def draft_briefing(items: list[Item], settings: Settings, day: date) -> Briefing:
    """The day's Briefing; raises EmptyDay when the window holds no items."""
    if not items:
        raise EmptyDay(f"no items in the {settings.brief.window_hours} h window before {day}")
    language = settings.newsletter.language
    clusters = select_stories(
        items,
        max_stories=settings.brief.max_stories,
        max_per_section=settings.brief.max_per_section,
        now=settings.send_moment(day),
    )
    writer = make_writer(settings)
    stories = [writer.write(cluster, language) for cluster in clusters]
    values = {"date": day.isoformat(), "count": len(stories), "name": settings.newsletter.name}
    return Briefing(
        date=day,
        title=TITLE[language].format(**values),
        language=language,
        intro=[line.format(**values) for line in INTRO[language]],
        stories=stories,
        outro=[line.format(**values) for line in OUTRO[language]],
    )


def make_writer(settings: Settings) -> Writer:
    if settings.brief.writer == "extractive":
        from newsletter.brief.writers.extractive import ExtractiveWriter

        return ExtractiveWriter()
    raise NotImplementedError(f"brief.writer = {settings.brief.writer!r} is not implemented yet")
