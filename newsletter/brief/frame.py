"""The words around the stories: title, greeting, outro, subject, preheader, one emoji each
(`frame.*` in the catalogs of newsletter/i18n).

With a model writer, the edition editor (`writers/editor.py`) writes the
greeting, subject, preheader and emoji; this module's offline frame is what an
edition gets without a model, or when that call fails. Offline words are
templates, never generated text, so an unattended edition never greets its
readers with something odd; they carry the newsletter's name, the date (written
the way each language writes dates, independent of the machine's locale), the
day's sections and the lead story, so two editions never read the same.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from newsletter.brief.sentences import clip
from newsletter.i18n import catalog
from newsletter.model import Briefing, Story
from newsletter.text.script import foreign_script

MAX_SUBJECT = 60  # characters: inboxes cut longer subjects, phones at ~40
MAX_PREHEADER = 140


@dataclass(frozen=True)
class Frame:
    title: str
    intro: list[str]
    outro: list[str]
    subject: str
    preheader: str
    emoji: list[str]  # one per story, in order


def long_date(day: date, language: str) -> str:
    """2026년 2월 7일 (토) / Saturday, February 7, 2026."""
    return catalog(language).date("frame.date", day)


def section_name(section: str, language: str) -> str:
    """A section's name in the edition's language (`policy` → `정책`); an unknown one as written."""
    return catalog(language).table("frame.sections").get(section.lower(), section)


def sections_phrase(stories: list[Story], language: str) -> str:
    """The day's sections in order of first appearance: `AI·투자·정책` / `AI and policy`."""
    names = catalog(language).table("frame.sections")
    chosen = list(
        dict.fromkeys(section_name(s.section, language) for s in stories if s.section)
    ) or [names["tech"]]
    if len(chosen) == 1:
        return chosen[0]
    return names["separator"].join(chosen[:-1]) + names["last_separator"] + chosen[-1]


def offline_frame(
    day: date, language: str, *, name: str, stories: list[Story], quoted: bool = False
) -> Frame:
    """The template frame; `quoted` says that some stories quote their original language."""
    words = catalog(language)
    count = len(stories)
    lead = stories[0].headline
    values = {
        "iso": day.isoformat(),
        "long": long_date(day, language),
        "name": name,
        "count": str(count),
        "count_phrase": words.plural("frame.stories", count),
        "lead": lead,
        "sections": sections_phrase(stories, language),
    }
    intro = words.lines("frame.intro", **values)
    if quoted:
        intro[-1] += " " + words.text("frame.quoted_note")
    hook = _hook(stories, language)
    return Frame(
        title=words.text("frame.title", **values),
        intro=intro,
        outro=words.lines("frame.outro", **values),
        subject=subject_line(stories[hook].headline, count, language),
        preheader=_preheader(stories, hook),
        emoji=[story.emoji for story in stories],
    )


def subject_line(lead: str, count: int, language: str) -> str:
    """The lead story as the hook, the rest counted, within `MAX_SUBJECT` characters."""
    if count <= 1:
        return clip(lead, MAX_SUBJECT)
    words = catalog(language)
    rest = len(words.text("frame.subject", lead="", more=count - 1))
    return words.text("frame.subject", lead=clip(lead, MAX_SUBJECT - rest), more=count - 1)


def _hook(stories: list[Story], language: str) -> int:
    """The story the subject names: the first whose headline is in the edition's language.

    An offline edition keeps a story reported only in another language under its
    original headline; a Korean inbox line that opens in English reads like mail
    sent to the wrong list, so the subject leads with a story the reader can read.
    """
    return next((i for i, s in enumerate(stories) if not foreign_script(s.headline, language)), 0)


def _preheader(stories: list[Story], hook: int = 0) -> str:
    """What else is inside (the subject already names the hook story): the other headlines."""
    others = [" ".join(s.headline.split()) for i, s in enumerate(stories) if i != hook]
    text = " · ".join(others) if others else " ".join(stories[0].summary[0].split())
    return clip(text, MAX_PREHEADER)


def refit(briefing: Briefing, stories: list[Story], name: str) -> Briefing:
    """`briefing` with only `stories` (some were dropped at render): the words that `draft`
    wrote offline are written again for the stories left, so they never count or name a
    story the reader does not get; hand-written (or model-written) ones are kept."""
    if not stories:
        return replace(briefing, stories=stories)
    language, day = briefing.language, briefing.date
    before = [
        offline_frame(day, language, name=name, stories=briefing.stories, quoted=quoted)
        for quoted in (False, True)
    ]
    matched = next((f for f in before if f.intro == briefing.intro), None)
    after = offline_frame(day, language, name=name, stories=stories, quoted=matched is before[1])
    old = before[0]
    return replace(
        briefing,
        stories=stories,
        intro=after.intro if matched is not None else briefing.intro,
        outro=after.outro if briefing.outro == old.outro else briefing.outro,
        subject=after.subject if briefing.subject == old.subject else briefing.subject,
        preheader=after.preheader if briefing.preheader == old.preheader else briefing.preheader,
    )
