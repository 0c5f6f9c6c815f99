"""A Converse reply → a Story, or a clear reason why not.

A model's output is input like any feed: it may be cut off, miss a field, put a
list where a string belongs, or answer in prose. Nothing reaches `briefing.json`
that the model would reject, and the sources always come from the cluster, never
from the model, so a link in an email is one the feed really published.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from newsletter.brief.impact import why_title as theme_title
from newsletter.brief.select import Cluster
from newsletter.brief.writers.base import emoji_for, sources_of
from newsletter.brief.writers.prompts import TOOL_NAME
from newsletter.model import ModelError, Story

MAX_HEADLINE = 200
MAX_TITLE = 120
MAX_PARAGRAPHS = 4
MAX_PARAGRAPH = 1500
MAX_TAKEAWAY = 400


class InvalidReply(ValueError):
    """The model answered, but not with a usable story; the message says what was wrong."""


def story_from_reply(
    response: Mapping[str, Any], cluster: Cluster, language: str, emoji: Mapping[str, str]
) -> Story:
    """Validate a Converse response and build the Story, or raise InvalidReply."""
    if response.get("stopReason") == "max_tokens":
        raise InvalidReply("reply cut off at max_tokens")
    fields = _tool_input(response)
    summary = _paragraphs(fields, "summary", required=True)
    why = _paragraphs(fields, "why", required=False)
    why_heading = _text(fields, "why_title", MAX_TITLE, required=False)
    if why and not why_heading:
        why_heading = theme_title(why, language)
    lead = cluster.items[0]
    story = Story(
        emoji=emoji_for(lead.section, emoji),
        headline=_text(fields, "headline", MAX_HEADLINE, required=True),
        section=lead.section,
        summary_title=_text(fields, "summary_title", MAX_TITLE, required=True),
        summary=summary,
        why_title=why_heading if why else "",
        why=why,
        takeaway=_text(fields, "takeaway", MAX_TAKEAWAY, required=False),
        sources=sources_of(cluster),
    )
    try:  # the same checks a hand-edited briefing.json goes through
        return Story.from_dict(story.to_dict(), "story")
    except ModelError as exc:
        raise InvalidReply(str(exc)) from None


def _tool_input(response: Mapping[str, Any]) -> dict[str, Any]:
    """The `write_story` tool input; a JSON object in a text block is accepted too."""
    output = response.get("output")
    message = output.get("message") if isinstance(output, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, list):
        raise InvalidReply("no output message in the reply (malformed or not a Converse reply)")
    for block in content:
        use = block.get("toolUse") if isinstance(block, dict) else None
        if isinstance(use, dict) and use.get("name") == TOOL_NAME:
            if not isinstance(use.get("input"), dict):
                raise InvalidReply(f"{TOOL_NAME} input is not an object")
            return use["input"]
    for block in content:
        text = block.get("text") if isinstance(block, dict) else None
        if isinstance(text, str) and "{" in text:
            try:
                parsed = json.loads(text[text.index("{") : text.rindex("}") + 1])
            except ValueError:
                continue
            if isinstance(parsed, dict):
                return parsed
    raise InvalidReply(f"the reply did not use the {TOOL_NAME} tool")


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
