"""The words around the stories: title, intro and outro, per language (`frame.*` in the
catalogs of newsletter/i18n).

They are templates, not generated text, so an unattended edition never greets
its readers with something odd; they carry the date (written the way each
language writes dates, independent of the machine's locale), the story count
and the lead story, so two editions never read the same.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from newsletter.i18n import catalog
from newsletter.model import Briefing, Story


def long_date(day: date, language: str) -> str:
    """2026년 2월 7일 (토) / Saturday, February 7, 2026."""
    return catalog(language).date("frame.date", day)


def frame_values(day: date, language: str, *, name: str, count: int, lead: str) -> dict[str, str]:
    return {
        "iso": day.isoformat(),
        "long": long_date(day, language),
        "name": name,
        "count": str(count),
        "count_phrase": catalog(language).plural("frame.stories", count),
        "lead": lead,
    }


def title(language: str, values: dict[str, str]) -> str:
    return catalog(language).text("frame.title", **values)


def intro(language: str, values: dict[str, str]) -> list[str]:
    return catalog(language).lines("frame.intro", **values)


def outro(language: str, values: dict[str, str]) -> list[str]:
    return catalog(language).lines("frame.outro", **values)


def refit(briefing: Briefing, stories: list[Story], name: str) -> Briefing:
    """`briefing` with only `stories` (some were dropped at render): an intro and outro
    that `draft` wrote are written again for the stories left, so they never count or
    name a story the reader does not get; hand-written ones are kept as they are."""
    language = briefing.language

    def values(chosen: list[Story]) -> dict[str, str]:
        lead = chosen[0].headline if chosen else ""
        return frame_values(briefing.date, language, name=name, count=len(chosen), lead=lead)

    before, after = values(briefing.stories), values(stories)
    drafted_intro = briefing.intro == intro(language, before)
    drafted_outro = briefing.outro == outro(language, before)
    return replace(
        briefing,
        stories=stories,
        intro=intro(language, after) if drafted_intro else briefing.intro,
        outro=outro(language, after) if drafted_outro else briefing.outro,
    )
