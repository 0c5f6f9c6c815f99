"""What a model writer asks for one story: the prompt per language and the reply's schema.

The prompt is written in the edition's language (`writer.*` in newsletter/i18n),
because models answer in the language they are asked in. It describes the edition's
tone (a calm, factual summary, then an analysis of why it matters, then one quotable
line) and forbids anything not in the articles: the model rewords reporting, it
does not report. The reply is forced through a tool (or a JSON-schema response
format) whose schema mirrors `Story`, so the answer arrives as data rather than
prose to be parsed. `PROMPT_VERSION` is part of the reply cache's key: change it
whenever a prompt or schema changes, so replies to the old wording are not reused.
"""

from __future__ import annotations

from typing import Any

from newsletter.brief.select import Cluster
from newsletter.brief.writers.base import Ask
from newsletter.i18n import catalog

PROMPT_VERSION = "2026-12-story-2"
TOOL_NAME = "write_story"
MAX_ARTICLE_CHARS = 3000  # per article: the lead carries the facts, and tokens cost money

STORY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "headline": {"type": "string", "description": "One-line headline, no emoji."},
        "summary_title": {"type": "string", "description": "Short title of the summary."},
        "summary": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "maxItems": 3,
            "description": "Paragraphs: what happened, facts only.",
        },
        "why_title": {"type": "string", "description": "Short title of the analysis."},
        "why": {
            "type": "array",
            "items": {"type": "string"},
            "maxItems": 2,
            "description": "Paragraphs: why it matters. Empty when the articles give no basis.",
        },
        "takeaway": {"type": "string", "description": "One quotable closing sentence."},
    },
    "required": ["headline", "summary_title", "summary", "why_title", "why", "takeaway"],
}


def system_prompt(language: str, name: str) -> str:
    return catalog(language).text("writer.system", name=name, tool=TOOL_NAME)


def user_prompt(cluster: Cluster, language: str) -> str:
    """The task and every article of the cluster (publisher, date, title, text)."""
    words = catalog(language)
    plural = words.text("writer.plural") if len(cluster.items) > 1 else ""
    parts = [words.text("writer.task", plural=plural)]
    for n, item in enumerate(cluster.items, start=1):
        text = item.body or item.title
        if len(text) > MAX_ARTICLE_CHARS:
            text = text[:MAX_ARTICLE_CHARS] + "…"
        parts.append(
            words.text(
                "writer.article",
                n=n,
                publisher=item.feed_title or item.feed_url,
                published=item.published.date().isoformat(),
                title=item.title,
                text=text,
            )
        )
    return "".join(parts)


def story_ask(cluster: Cluster, language: str, name: str) -> Ask:
    """The whole request for one story."""
    return Ask(
        system=system_prompt(language, name),
        user=user_prompt(cluster, language),
        tool=TOOL_NAME,
        description="Submit the finished story for the newsletter.",
        schema=STORY_SCHEMA,
    )
