"""Items → Briefing: select the stories, let the configured writer word them, frame them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from newsletter.brief import frame
from newsletter.brief.report import DraftReport
from newsletter.brief.select import select_stories
from newsletter.brief.writers.base import Writer, emoji_table
from newsletter.columns import clip_columns
from newsletter.config import Settings
from newsletter.model import Briefing, Item, Story

#: Display columns (a Hangul or CJK character takes two): a headline is one line a reader
#: takes in at a glance — what the model prompts ask for (60 Korean / 80 English characters)
#: fits, and a feed title of 20,000 characters cannot flood the edition or its size limit.
HEADLINE_COLUMNS = 120
#: Source titles and summary headings, shown in smaller type under or above the story.
TITLE_COLUMNS = 200


class EmptyDay(Exception):
    """No items in the window: there is nothing to write, and nothing must be sent."""


def draft_briefing(
    items: list[Item], settings: Settings, day: date, report: DraftReport | None = None
) -> Briefing:
    """The day's Briefing; raises EmptyDay when the window holds no items.

    `report` (when given) is filled with what the writer did: fallbacks, tokens, cost.
    """
    brief = settings.brief
    clusters = select_stories(
        items,
        max_stories=brief.max_stories,
        max_per_section=brief.max_per_section,
        now=settings.send_moment(day),
        window_hours=brief.window_hours,
    )
    if not clusters:
        raise EmptyDay(
            f"no items in the {brief.window_hours} h window before "
            f"{settings.send_moment(day).isoformat(timespec='minutes')}"
            + (f" ({len(items)} collected items are all outside it)" if items else "")
        )
    report = report if report is not None else DraftReport()
    language = settings.newsletter.language
    writer = make_writer(settings, report)
    stories = [within_limits(writer.write(cluster, language)) for cluster in clusters]
    report.stories = len(stories)
    values = frame.frame_values(
        day, language, name=settings.newsletter.name, count=len(stories), lead=stories[0].headline
    )
    return Briefing(
        date=day,
        title=frame.title(language, values),
        language=language,
        intro=frame.intro(language, values),
        stories=stories,
        outro=frame.outro(language, values),
    )


def make_writer(settings: Settings, report: DraftReport) -> Writer:
    """The configured writer; the model writer falls back to the offline one per story."""
    from newsletter.brief.writers.extractive import ExtractiveWriter

    emoji = emoji_table(settings.brief.emoji)
    offline = ExtractiveWriter(emoji=emoji)
    report.writer = settings.brief.writer
    if settings.brief.writer == "bedrock":
        from newsletter.brief.writers.bedrock import BedrockWriter

        return BedrockWriter(settings, report=report, fallback=offline, emoji=emoji)
    return offline


def within_limits(story: Story) -> Story:
    """The story with its headline and titles capped by display width (with an ellipsis)."""
    return replace(
        story,
        headline=clip_columns(story.headline, HEADLINE_COLUMNS),
        summary_title=clip_columns(story.summary_title, TITLE_COLUMNS),
        why_title=clip_columns(story.why_title, TITLE_COLUMNS),
        sources=[replace(s, title=clip_columns(s.title, TITLE_COLUMNS)) for s in story.sources],
    )
