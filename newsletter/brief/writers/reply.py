"""A model's JSON reply → a Story, or a clear reason why not.

A model's output is input like any feed: it may be cut off, miss a field, put a
list where a string belongs, or answer in prose. Nothing reaches `briefing.json`
that the model would reject, and the sources always come from the cluster, never
from the model, so a link in an email is one the feed really published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newsletter.bounded_json import UnreadableJson, load_json
from newsletter.brief.select import Cluster
from newsletter.brief.writers.base import sources_of
from newsletter.brief.writers.emoji import emoji_for_story
from newsletter.model import ModelError, Story
from newsletter.text.script import foreign_script

MAX_HEADLINE = 200
MAX_TITLE = 120
MAX_PARAGRAPHS = 4
MAX_PARAGRAPH = 1500
MAX_TAKEAWAY = 400


class InvalidReply(ValueError):
    """The model answered, but not with a usable story; the message says what was wrong."""


def story_from_fields(
    fields: Mapping[str, Any], cluster: Cluster, language: str, emoji: Mapping[str, str]
) -> Story:
    """Validate a reply's JSON object and build the Story, or raise InvalidReply."""
    summary = _paragraphs(fields, "summary", required=True)
    why = _paragraphs(fields, "why", required=False)
    why_heading = _text(fields, "why_title", MAX_TITLE, required=False)
    lead = cluster.items[0]
    headline = _text(fields, "headline", MAX_HEADLINE, required=True)
    story = Story(
        emoji=emoji_for_story(headline, [*summary, *why], lead.section, emoji),
        headline=headline,
        section=lead.section,
        summary_title=_text(fields, "summary_title", MAX_TITLE, required=True),
        summary=summary,
        why_title=why_heading if why else "",
        why=why,
        takeaway=_text(fields, "takeaway", MAX_TAKEAWAY, required=False),
        sources=sources_of(cluster),
    )
    written = [story.headline, *summary, *why]
    if sum(foreign_script(text, language) for text in written) * 2 > len(written):
        raise InvalidReply(f"the reply is not in the edition's language ({language})")
    try:  # the same checks a hand-edited briefing.json goes through
        return Story.from_dict(story.to_dict(), "story")
    except ModelError as exc:
        raise InvalidReply(str(exc)) from None


def object_in_text(text: str) -> dict[str, Any] | None:
    """The JSON object in a text reply (models sometimes wrap it in prose or a code fence)."""
    if "{" not in text:
        return None
    try:
        parsed = load_json(text[text.index("{") : text.rindex("}") + 1])
    except UnreadableJson:
        return None
    return parsed if isinstance(parsed, dict) else None


def text(fields: Mapping[str, Any], key: str, limit: int, *, required: bool) -> str:
    """A one-line string field, whitespace squashed, within `limit` characters."""
    return _text(fields, key, limit, required=required)


def paragraphs(fields: Mapping[str, Any], key: str, *, required: bool) -> list[str]:
    """A list-of-paragraphs field (a single string counts as one paragraph)."""
    return _paragraphs(fields, key, required=required)


def _text(fields: Mapping[str, Any], key: str, limit: int, *, required: bool) -> str:
    value = fields.get(key, "")
    if not isinstance(value, str):
        raise InvalidReply(f"{key} must be a string")
    value = " ".join(value.split())
    if required and not value:
        raise InvalidReply(f"{key} is missing or empty")
    if len(value) > limit:
        raise InvalidReply(f"{key} is longer than {limit} characters")
    return value


def _paragraphs(fields: Mapping[str, Any], key: str, *, required: bool) -> list[str]:
    value = fields.get(key, [])
    if isinstance(value, str):  # a single paragraph given as a string
        value = [value]
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise InvalidReply(f"{key} must be a list of paragraphs")
    paragraphs = [p.strip() for p in value if p.strip()]
    if required and not paragraphs:
        raise InvalidReply(f"{key} is missing or empty")
    if len(paragraphs) > MAX_PARAGRAPHS or any(len(p) > MAX_PARAGRAPH for p in paragraphs):
        raise InvalidReply(f"{key} is too long")
    return paragraphs
