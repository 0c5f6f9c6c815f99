"""Content gates: what a reader would notice is wrong with the words, beside the layout gates.

The layout gates (`checks.py`) guard the inbox: size, scripts, links, the
unsubscribe link. These guard the reading: English sentences under a Korean
요약 heading, a "title" that is a keyword list or one word, a heading that
repeats the headline, a sentence said twice, feed furniture ("Continue
reading", "무단 전재") left in the text, and how many stories lack a
why-it-matters or a takeaway. Each gate is `warn` (listed by render, preview,
status and daily) or `block` (`[gates]` in the config): a blocked per-story
finding drops that story like the story-level layout gates do, a blocked
edition-wide count stops the render.

A paragraph that says it quotes the original (the offline writer's
"원문(영어) 요지: “…”") is not a language mismatch: it is labelled as what it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

from newsletter.brief.sentences import clip, split_sentences
from newsletter.i18n import catalog
from newsletter.model import Briefing, Story
from newsletter.render.checks import ERROR, WARNING, CheckResult
from newsletter.text.boilerplate import strip_boilerplate
from newsletter.text.script import foreign_script

#: Config key (`[gates]`) → rule name in the results.
RULES: dict[str, str] = {
    "language_mismatch": "language-mismatch",
    "keyword_title": "keyword-title",
    "title_is_headline": "title-is-headline",
    "repeated_sentence": "repeated-sentence",
    "boilerplate": "boilerplate",
    "missing_why": "missing-why",
    "missing_takeaway": "missing-takeaway",
}
#: Rules one story's text can fail (a blocked one drops that story, not the edition).
STORY_RULES = frozenset(RULES[key] for key in list(RULES)[:5])
_LIST_SEPARATORS = re.compile(r"\s*(?:·|\||/|,|;)\s*")
NEAR_COPY = 0.85  # similarity of a title to its headline that reads as the same line
MIN_REPEATED = 12  # letters and digits: shorter repeats are fragments, not sentences


@dataclass(frozen=True)
class Finding:
    story: int  # 1-based; 0 for the edition
    text: str


def content_checks(
    briefing: Briefing, levels: Mapping[str, str] | None = None
) -> list[CheckResult]:
    """Every content gate's result; `levels` maps a `[gates]` key to warn or block."""
    levels = levels or {}
    findings = {
        "language_mismatch": list(_language(briefing)),
        "keyword_title": list(_keyword_titles(briefing)),
        "title_is_headline": list(_title_is_headline(briefing)),
        "repeated_sentence": list(_repeats(briefing)),
        "boilerplate": list(_boilerplate(briefing)),
        "missing_why": _missing(briefing, lambda s: bool(s.why), "why"),
        "missing_takeaway": _missing(briefing, lambda s: bool(s.takeaway), "takeaway"),
    }
    results = []
    for key, found in findings.items():
        level = ERROR if levels.get(key) == "block" else WARNING
        message = "; ".join(f.text for f in found[:3])
        if len(found) > 3:
            message += f"; and {len(found) - 3} more"
        results.append(CheckResult(RULES[key], not found, level, message or "ok"))
    return results


def failing_stories(briefing: Briefing, levels: Mapping[str, str]) -> dict[int, list[str]]:
    """Stories (1-based) that fail a blocked per-story content gate, with the reasons."""
    blocked: dict[int, list[str]] = {}
    for key, finder in (
        ("language_mismatch", _language),
        ("keyword_title", _keyword_titles),
        ("title_is_headline", _title_is_headline),
        ("repeated_sentence", _repeats),
        ("boilerplate", _boilerplate),
    ):
        if levels.get(key) != "block":
            continue
        for finding in finder(briefing):
            blocked.setdefault(finding.story, []).append(f"{RULES[key]}: {finding.text}")
    return blocked


def _where(number: int, story: Story) -> str:
    return f"story {number} “{clip(' '.join(story.headline.split()), 40)}”"


def _language(briefing: Briefing) -> Iterator[Finding]:
    words = catalog(briefing.language)
    quote = str(words.raw("quote.lead")).split("{", 1)[0]
    other = words.text("language.en" if briefing.language == "ko" else "language.ko")
    for number, story in enumerate(briefing.stories, start=1):
        parts = [
            (words.text("edition.summary"), [story.summary_title, *story.summary]),
            (words.text("edition.why"), [story.why_title, *story.why]),
            ("takeaway", [story.takeaway]),
        ]
        for heading, texts in parts:
            foreign = [
                t
                for t in texts
                if t and not t.startswith(quote) and foreign_script(t, briefing.language)
            ]
            if foreign:
                sample = clip(" ".join(foreign[0].split()), 50)
                yield Finding(
                    number, f"{_where(number, story)}: {other} under {heading}: “{sample}”"
                )


def _keyword_titles(briefing: Briefing) -> Iterator[Finding]:
    for number, story in enumerate(briefing.stories, start=1):
        for title in (story.summary_title, story.why_title):
            title = " ".join(title.split())
            if not title:
                continue
            parts = [p for p in _LIST_SEPARATORS.split(title) if p]
            if len(title.split()) == 1:
                yield Finding(number, f"{_where(number, story)}: one-word title “{title}”")
            elif len(parts) >= 2 and all(len(p.split()) <= 2 for p in parts):
                yield Finding(number, f"{_where(number, story)}: keyword-list title “{title}”")


def _title_is_headline(briefing: Briefing) -> Iterator[Finding]:
    for number, story in enumerate(briefing.stories, start=1):
        headline = _key(story.headline)
        for title in (story.summary_title, story.why_title):
            if title and SequenceMatcher(None, _key(title), headline).ratio() >= NEAR_COPY:
                yield Finding(number, f"{_where(number, story)}: title repeats the headline")


def _repeats(briefing: Briefing) -> Iterator[Finding]:
    for number, story in enumerate(briefing.stories, start=1):
        seen: set[str] = set()
        for paragraph in [*story.summary, *story.why, story.takeaway]:
            for sentence in split_sentences(paragraph):
                key = _key(sentence)
                if len(key) < MIN_REPEATED:
                    continue
                if key in seen:
                    sample = clip(sentence, 50)
                    yield Finding(number, f"{_where(number, story)}: said twice: “{sample}”")
                    break
                seen.add(key)


def _boilerplate(briefing: Briefing) -> Iterator[Finding]:
    for number, story in enumerate(briefing.stories, start=1):
        for text in [*story.summary, *story.why, story.takeaway]:
            if text and " ".join(strip_boilerplate(text).split()) != " ".join(text.split()):
                sample = clip(" ".join(text.split()), 50)
                yield Finding(number, f"{_where(number, story)}: feed furniture in “{sample}”")
                break


def _missing(briefing: Briefing, has: Callable[[Story], bool], what: str) -> list[Finding]:
    missing = [n for n, s in enumerate(briefing.stories, start=1) if not has(s)]
    if not missing:
        return []
    words = catalog(briefing.language)
    label = words.text("edition.why") if what == "why" else what
    numbers = ", ".join(str(n) for n in missing)
    return [
        Finding(0, f"{len(missing)} of {len(briefing.stories)} stories have no {label} ({numbers})")
    ]


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())
