"""The view of one edition that all three templates share.

HTML, text and the archive post must say the same thing with the same labels:
every decision about *what* is shown (greeting, headings with their default
titles, publisher names, reference numbers, the preheader, the long date) is
made here once, so the templates only decide *how* it looks.

Per-recipient values are placeholders, never rendered values: the unsubscribe
URL is `UNSUBSCRIBE_PLACEHOLDER` in the HTML and the text. The default templates
do not greet by name (`NAME_PLACEHOLDER`): many subscribers have no name on file.
A custom template may use `v.name_placeholder`, but only with a `send` that
substitutes a fallback for an empty name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newsletter.brief.labels import labels as label_table
from newsletter.brief.sentences import clip
from newsletter.model import NAME_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, Briefing, Story

if TYPE_CHECKING:
    from newsletter.config import Settings

PREHEADER_MIN = 90
PREHEADER_MAX = 140

__all__ = [
    "EditionView",
    "SourceView",
    "StoryView",
    "build_view",
    "long_date",
    "preheader_for",
]


@dataclass(frozen=True)
class SourceView:
    number: int  # global reference number, shown as [n] in the text edition
    title: str
    url: str
    publisher: str


@dataclass(frozen=True)
class StoryView:
    number: int
    emoji: str
    headline: str
    section: str
    summary_label: str
    summary_title: str
    summary: list[str]
    why_label: str
    why_title: str
    why: list[str]
    takeaway: str
    sources_label: str
    sources: list[SourceView]

    @property
    def title_line(self) -> str:
        """Emoji + headline, the way the reference's `##` heading reads."""
        return f"{self.emoji} {self.headline}".strip()

    @property
    def summary_heading(self) -> str:
        return f"{self.summary_label}: {self.summary_title}"

    @property
    def why_heading(self) -> str:
        return f"{self.why_label}: {self.why_title}"


@dataclass(frozen=True)
class EditionView:
    language: str
    labels: dict[str, str]
    date: date
    title: str
    name: str
    date_long: str
    preheader: str
    greeting: str
    intro: list[str]
    stories: list[StoryView]
    outro: list[str]
    sender: str
    postal_address: str
    why_you_get_this: str
    unsubscribe_url: str
    name_placeholder: str = NAME_PLACEHOLDER


def build_view(briefing: Briefing, settings: Settings) -> EditionView:
    """Everything the templates print, derived from the briefing and the settings."""
    words = label_table(briefing.language)
    intro = [_squash(p) for p in briefing.intro]
    greeting = words["greeting"]
    # A hand-written or generated intro may already open with the greeting: never say it twice.
    if intro and intro[0].strip() == greeting:
        intro = intro[1:]
    stories = []
    number = 0
    for index, story in enumerate(briefing.stories, start=1):
        sources = []
        for source in story.sources:
            number += 1
            sources.append(
                SourceView(
                    number=number,
                    title=_squash(source.title),
                    url=source.url.strip(),
                    publisher=_squash(source.publisher) or publisher_from_url(source.url),
                )
            )
        stories.append(_story_view(index, story, sources, words))
    name = settings.newsletter.name
    return EditionView(
        language=briefing.language,
        labels=words,
        date=briefing.date,
        title=_squash(briefing.title),
        name=name,
        date_long=long_date(briefing.date, briefing.language),
        preheader=preheader_for(briefing),
        greeting=greeting,
        intro=intro,
        stories=stories,
        outro=[_squash(p) for p in briefing.outro],
        sender=settings.sender.from_,
        postal_address=_squash(settings.newsletter.postal_address),
        why_you_get_this=words["why_you_get_this"].format(name=name),
        unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER,
    )


def _story_view(
    number: int, story: Story, sources: list[SourceView], words: dict[str, str]
) -> StoryView:
    return StoryView(
        number=number,
        emoji=story.emoji.strip(),
        headline=_squash(story.headline),
        section=_squash(story.section),
        summary_label=words["summary"],
        summary_title=_squash(story.summary_title) or words["default_summary_title"],
        summary=[_squash(p) for p in story.summary],
        why_label=words["why"],
        why_title=_squash(story.why_title) or words["default_why_title"],
        why=[_squash(p) for p in story.why],
        takeaway=_squash(story.takeaway),
        sources_label=words["sources"] if len(sources) > 1 else words["source"],
        sources=sources,
    )


def long_date(day: date, language: str) -> str:
    """`2026년 2월 7일 토요일` / `Saturday, February 7, 2026`, from the label table."""
    words = label_table(language)
    return words["date_long"].format(
        year=day.year,
        month=day.month,
        month_name=words["months"].split()[day.month - 1],
        day=day.day,
        weekday=words["weekdays"].split()[day.weekday()],
    )


def preheader_for(briefing: Briefing) -> str:
    """The inbox preview line: the intro's first sentences, topped up with headlines.

    Mail clients show ~90–140 characters after the subject; shorter leaves them
    to fill the gap with body text (masthead, greeting), longer is cut anyway.
    """
    greeting = label_table(briefing.language)["greeting"]
    intro = " ".join(_squash(p) for p in briefing.intro if _squash(p) != greeting)
    text = intro
    for story in briefing.stories:
        if len(text) >= PREHEADER_MIN:
            break
        headline = f"{story.emoji} {_squash(story.headline)}".strip()
        text = f"{text} · {headline}" if text else headline
    return clip(text, PREHEADER_MAX)


def publisher_from_url(url: str) -> str:
    """`techcrunch.com` for a source without a publisher name."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    """One line of text: the JSON is hand-editable and may carry stray newlines."""
    return _SPACE.sub(" ", text).strip()
