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

from newsletter.brief.frame import refit
from newsletter.brief.sentences import clip
from newsletter.model import Briefing, Edition
from newsletter.render.checks import (
    ERROR,
    WARNING,
    CheckFailed,
    CheckResult,
    check_edition,
    enforce,
    failures,
)
from newsletter.render.content import content_checks, failing_stories
from newsletter.render.context import one_line
from newsletter.render.edition import build_edition
from newsletter.render.environment import RenderError
from newsletter.render.options import RenderOptions

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

    def warnings(self) -> list[str]:
        """`rule: message` for each gate that warns (content gates set to warn, near-limits)."""
        return [f"{r.rule}: {r.message}" for r in self.results if not r.ok and r.level == WARNING]


def render_checked(briefing: Briefing, options: RenderOptions) -> Rendered:
    """The edition with every faulty story dropped; raises CheckFailed or RenderError when
    the fault is the edition's own or no story is left."""
    briefing, blocked = _without_blocked_content(briefing, options)
    try:
        return _checked(briefing, options, blocked)
    except CheckFailed as exc:
        if any(failure.rule not in STORY_RULES for failure in exc.failures):
            raise
        error: Exception = exc
    except RenderError as exc:
        error = exc
    dropped = [
        found
        for number in range(1, len(briefing.stories) + 1)
        if (found := _fault(briefing, number, options)) is not None
    ]
    if not dropped or len(dropped) == len(briefing.stories):
        raise error
    gone = {story.number for story in dropped}
    kept = [story for n, story in enumerate(briefing.stories, start=1) if n not in gone]
    return _checked(refit(briefing, kept, options.identity.name), options, blocked + dropped)


def _checked(briefing: Briefing, options: RenderOptions, dropped: list[DroppedStory]) -> Rendered:
    """Layout gates on the edition, content gates on the words; a blocked content gate that
    no single story explains (the missing-why count) stops the edition."""
    edition = build_edition(briefing, options)
    results = enforce(edition, briefing)
    content = content_checks(briefing, vars(options.gates))
    if failures(content):
        raise CheckFailed(failures(content))
    return Rendered(edition, briefing, results + content, dropped)


def _without_blocked_content(
    briefing: Briefing, options: RenderOptions
) -> tuple[Briefing, list[DroppedStory]]:
    """Stories a content gate set to `block` finds at fault are left out before rendering.

    Numbers stay those of briefing.json; later drops of the layout triage are numbered
    within what is left."""
    blocked = failing_stories(briefing, vars(options.gates))
    if not blocked:
        return briefing, []
    dropped = [
        DroppedStory(n, briefing.stories[n - 1].headline, reasons)
        for n, reasons in sorted(blocked.items())
        if n >= 1
    ]
    kept = [story for n, story in enumerate(briefing.stories, start=1) if n not in blocked]
    if not kept:
        reasons = [reason for story in dropped for reason in story.reasons]
        raise CheckFailed([CheckResult("content", False, ERROR, "; ".join(reasons[:3]))])
    return refit(briefing, kept, options.identity.name), dropped


def _fault(briefing: Briefing, number: int, options: RenderOptions) -> DroppedStory | None:
    """What is wrong with story `number` when it is rendered alone, or None."""
    story = briefing.stories[number - 1]
    alone = replace(briefing, stories=[story])
    try:
        edition = build_edition(alone, options)
    except RenderError as exc:
        return DroppedStory(number, story.headline, [f"render: {exc}"])
    failed = [f for f in failures(check_edition(edition, alone)) if f.rule in STORY_RULES]
    if not failed:
        return None
    return DroppedStory(number, story.headline, [f"{f.rule}: {f.message}" for f in failed])
