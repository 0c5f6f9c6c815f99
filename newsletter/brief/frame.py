"""The words around the stories: title, intro and outro, per language.

They are templates, not generated text, so an unattended edition never greets
its readers with something odd; they carry the date (written the way each
language writes dates, independent of the machine's locale), the story count
and the lead story, so two editions never read the same.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from newsletter.model import Briefing, Story

_WEEKDAYS = {
    "ko": ("월", "화", "수", "목", "금", "토", "일"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = (
    *("January", "February", "March", "April", "May", "June", "July", "August"),
    *("September", "October", "November", "December"),
)

TITLE = {"ko": "{iso} {name}", "en": "{iso} {name}"}
INTRO = {
    "ko": [
        "안녕하세요!",
        "{long} 데일리 테크 브리핑입니다. 지난 하루 동안 AI와 기술 분야에서 나온 소식 가운데 "
        "눈여겨볼 {count}건을 골라 핵심 내용과 그 의미를 정리했습니다. "
        "첫 소식은 “{lead}”입니다.",
    ],
    "en": [
        "Hello!",
        "Here is your tech briefing for {long}: {count_phrase} from the last day in AI and "
        "technology, each with what happened and why it matters. "
        "We start with “{lead}”.",
    ],
}
OUTRO = {
    "ko": [
        "오늘 브리핑은 여기까지입니다. 소개한 {count}건의 원문은 각 소식 아래 링크에서 "
        "확인하실 수 있습니다. 내일 아침에 다시 찾아오겠습니다.",
    ],
    "en": [
        "That's all for today: the original reporting for all {count_phrase} is linked under "
        "each one. See you tomorrow morning.",
    ],
}


def long_date(day: date, language: str) -> str:
    """2026년 2월 7일 (토) / Saturday, February 7, 2026."""
    if language == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일 ({_WEEKDAYS['ko'][day.weekday()]})"
    return f"{_WEEKDAYS['en'][day.weekday()]}, {_MONTHS[day.month - 1]} {day.day}, {day.year}"


def frame_values(day: date, language: str, *, name: str, count: int, lead: str) -> dict[str, str]:
    return {
        "iso": day.isoformat(),
        "long": long_date(day, language),
        "name": name,
        "count": str(count),
        "count_phrase": f"{count} {'story' if count == 1 else 'stories'}",
        "lead": lead,
    }


def title(language: str, values: dict[str, str]) -> str:
    return TITLE.get(language, TITLE["en"]).format(**values)


def intro(language: str, values: dict[str, str]) -> list[str]:
    return [line.format(**values) for line in INTRO.get(language, INTRO["en"])]


def outro(language: str, values: dict[str, str]) -> list[str]:
    return [line.format(**values) for line in OUTRO.get(language, OUTRO["en"])]


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
