"""`brief.writer` → the writer: a table of factories, one per provider.

Adding a provider is one file with a `ModelClient` and one line here; the
config's `brief.writer` choices must name the same keys (a test checks). Every
model writer falls back story by story to the offline writer and shares the
reply cache in the newsletter's database.
"""

from __future__ import annotations

from collections.abc import Callable

from newsletter.brief.report import DraftReport
from newsletter.brief.writers.base import ModelClient, Writer
from newsletter.brief.writers.cache import ReplyCache
from newsletter.brief.writers.emoji import emoji_table
from newsletter.brief.writers.extractive import ExtractiveWriter
from newsletter.brief.writers.model import ModelWriter
from newsletter.brief.writers.openai import OpenAIClient
from newsletter.config import Settings, database_url


def _bedrock(settings: Settings) -> ModelClient:
    from newsletter.brief.writers.bedrock import BedrockClient  # boto3: only when configured

    return BedrockClient(settings.bedrock, region=settings.sender.region)


def _openai(settings: Settings) -> ModelClient:
    return OpenAIClient(settings.openai)


#: Model providers by `brief.writer`; "extractive" (offline) needs no client.
PROVIDERS: dict[str, Callable[[Settings], ModelClient]] = {
    "bedrock": _bedrock,
    "openai": _openai,
}
WRITERS = ("extractive", *PROVIDERS)


def make_writer(settings: Settings, report: DraftReport) -> Writer:
    """The configured writer; a model writer falls back to the offline one per story."""
    emoji = emoji_table(settings.brief.emoji)
    offline = ExtractiveWriter(emoji=emoji)
    report.writer = settings.brief.writer
    provider = PROVIDERS.get(settings.brief.writer)
    if provider is None:
        return offline
    cache = ReplyCache.open(database_url(settings)) if settings.brief.cache else None
    return ModelWriter(
        provider(settings),
        report=report,
        fallback=offline,
        emoji=emoji,
        name=settings.newsletter.name,
        cache=cache,
    )
