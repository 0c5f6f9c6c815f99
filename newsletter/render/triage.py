"""One story's defect never stops the edition: the story is dropped and named, the rest goes out.

A feed can put anything in a headline — a character MJML refuses, a title the
gates cannot find again — and a gate that fails stops the render, so before this
one bad item cost every reader the day's edition. When only story-level gates
fail (or the render itself fails), each story is rendered alone to find the ones
at fault; those are dropped and reported, the intro and outro are written again
for the stories left, and the remaining edition must pass every gate. A failure
no single story explains (size, charset, the unsubscribe link, a template error)
still stops the edition, and so does a day on which every story is at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from newsletter.brief.frame import refit
from newsletter.brief.sentences import clip
from newsletter.model import Briefing, Edition
from newsletter.render.checks import CheckFailed, CheckResult, check_edition, enforce, failures
from newsletter.render.context import one_line
from newsletter.render.edition import build_edition
from newsletter.render.environment import RenderError

if TYPE_CHECKING:
    from newsletter.config import Settings

#: Gates that one story's content can fail; any other failure is the edition's.
STORY_RULES = frozenset(
    {
        "no-script",
        "no-event-handlers",
        "no-dangerous-links",
        "absolute-links",
        "img-alt",
        "headlines-html",
        "headlines-text",
        "headlines-post",
    }
)


@dataclass(frozen=True)
class DroppedStory:
    number: int  # the story's place in briefing.json, from 1
    headline: str
    reasons: list[str]

    def line(self) -> str:
        """`dropped story 3 "Headline…": headlines-text: …` — one line for daily's output."""
        headline = clip(one_line(self.headline), 80)
        return f'dropped story {self.number} "{headline}": {"; ".join(self.reasons)}'


@dataclass(frozen=True)
class Rendered:
    """The checked edition, the briefing it shows, and the stories left out of it."""

    edition: Edition
    briefing: Briefing
    results: list[CheckResult]
    dropped: list[DroppedStory] = field(default_factory=list)


def render_checked(briefing: Briefing, settings: Settings) -> Rendered:
    """The edition with every faulty story dropped; raises CheckFailed or RenderError when
    the fault is the edition's own or no story is left."""
    try:
        return _checked(briefing, settings, [])
    except CheckFailed as exc:
        if any(failure.rule not in STORY_RULES for failure in exc.failures):
            raise
        error: Exception = exc
    except RenderError as exc:
        error = exc
    dropped = [
        found
        for number in range(1, len(briefing.stories) + 1)
        if (found := _fault(briefing, number, settings)) is not None
    ]
    if not dropped or len(dropped) == len(briefing.stories):
        raise error
    gone = {story.number for story in dropped}
    kept = [story for n, story in enumerate(briefing.stories, start=1) if n not in gone]
    return _checked(refit(briefing, kept, settings.newsletter.name), settings, dropped)


def _checked(briefing: Briefing, settings: Settings, dropped: list[DroppedStory]) -> Rendered:
    edition = build_edition(briefing, settings)
    return Rendered(edition, briefing, enforce(edition, briefing), dropped)


def _fault(briefing: Briefing, number: int, settings: Settings) -> DroppedStory | None:
    """What is wrong with story `number` when it is rendered alone, or None."""
    story = briefing.stories[number - 1]
    alone = replace(briefing, stories=[story])
    try:
        edition = build_edition(alone, settings)
    except RenderError as exc:
        return DroppedStory(number, story.headline, [f"render: {exc}"])
    failed = [f for f in failures(check_edition(edition, alone)) if f.rule in STORY_RULES]
    if not failed:
        return None
    return DroppedStory(number, story.headline, [f"{f.rule}: {f.message}" for f in failed])
