"""The edition editor: one model call after the stories writes the frame around them.

A greeting that sums up the day's themes in the newsletter's own voice, a
subject line with a hook, a preheader that adds to the subject instead of
repeating the greeting, and one emoji per story chosen for that story. It sees
only the finished stories (headline, summary title, first paragraph), so it is
cheap, and it cannot invent a story. Any failure keeps the offline frame and
says why in the report.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from newsletter.brief.frame import MAX_PREHEADER, MAX_SUBJECT, Frame
from newsletter.brief.report import BY_CACHE
from newsletter.brief.writers.base import Ask
from newsletter.brief.writers.model import Failed, ModelWriter
from newsletter.brief.writers.reply import InvalidReply, paragraphs, text
from newsletter.i18n import catalog
from newsletter.model import Story

TOOL_NAME = "write_frame"
MAX_GREETING = 600

FRAME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "greeting": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "maxItems": 2,
            "description": "1–2 short paragraphs after the salutation, summing up the day.",
        },
        "subject": {"type": "string", "description": "Email subject with a hook, ≤ 60 chars."},
        "preheader": {"type": "string", "description": "Inbox preview text, not the greeting."},
        "emoji": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Exactly one emoji per story, in the stories' order.",
        },
    },
    "required": ["greeting", "subject", "preheader", "emoji"],
}


def frame_ask(stories: list[Story], language: str, name: str, long: str) -> Ask:
    """The editor's request: the task and each finished story (headline, title, lead)."""
    words = catalog(language)
    parts = [words.text("editor.task", long=long, count=len(stories), name=name)]
    for n, story in enumerate(stories, start=1):
        lead = story.summary[0] if story.summary else ""
        parts.append(
            words.text(
                "editor.story", n=n, headline=story.headline, title=story.summary_title, lead=lead
            )
        )
    return Ask(
        system=words.text("editor.system", name=name, tool=TOOL_NAME),
        user="".join(parts),
        tool=TOOL_NAME,
        description="Submit the front of today's issue.",
        schema=FRAME_SCHEMA,
    )


def edit_frame(
    writer: ModelWriter, stories: list[Story], language: str, long: str, offline: Frame
) -> Frame:
    """The model's frame, or `offline` with the reason in the report."""
    ask = frame_ask(stories, language, writer.name, long)
    try:
        got = writer.obtain(ask, lambda fields: frame_from_fields(fields, offline, len(stories)))
    except Failed as exc:
        writer.report.frame = f"offline template — {exc.reason}"
        return offline
    cost = writer.report.price(got.input_tokens, got.output_tokens)
    writer.report.frame = (
        "by the model from the reply cache"
        if got.by == BY_CACHE
        else f"by the model, {got.input_tokens:,}+{got.output_tokens:,} tokens ${cost:.4f}"
    )
    return got.value


def frame_from_fields(fields: Mapping[str, Any], offline: Frame, count: int) -> Frame:
    """Validate the editor's reply; the title and outro stay the offline ones."""
    salutation = offline.intro[:1] if len(offline.intro) > 1 else []
    greeting = paragraphs(fields, "greeting", required=True)
    if salutation and greeting[0].startswith(salutation[0]):  # said once, by the template
        greeting = [p for p in [greeting[0][len(salutation[0]) :].strip(), *greeting[1:]] if p]
        if not greeting:
            raise InvalidReply("greeting is missing or empty")
    if sum(len(p) for p in greeting) > MAX_GREETING:
        raise InvalidReply(f"greeting is longer than {MAX_GREETING} characters")
    subject = text(fields, "subject", MAX_SUBJECT, required=True)
    preheader = text(fields, "preheader", MAX_PREHEADER, required=True)
    if _same(preheader, greeting[0]) or _same(preheader, subject):
        raise InvalidReply("preheader repeats the greeting or the subject")
    emoji = fields.get("emoji")
    if not isinstance(emoji, list) or not all(isinstance(e, str) for e in emoji):
        raise InvalidReply("emoji must be a list of strings")
    emoji = [e.strip() for e in emoji]
    if len(emoji) != count:
        raise InvalidReply(f"emoji has {len(emoji)} entries for {count} stories")
    if not all(_is_emoji(e) for e in emoji):
        raise InvalidReply("emoji entries must each be one emoji")
    return replace(
        offline, intro=[*salutation, *greeting], subject=subject, preheader=preheader, emoji=emoji
    )


def _same(a: str, b: str) -> bool:
    a, b = " ".join(a.split()).casefold(), " ".join(b.split()).casefold()
    return a == b or (len(a) >= 20 and b.startswith(a[:-1].rstrip("…")))


def _is_emoji(value: str) -> bool:
    """One pictograph (with its variation selectors, skin tones, ZWJ joins), no letters."""
    if not 1 <= len(value) <= 12:
        return False
    return all(
        unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf", "Me") or ch in "\u200d\ufe0f"
        for ch in value
    ) and any(unicodedata.category(ch) == "So" for ch in value)
