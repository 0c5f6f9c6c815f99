"""`brief.writer` → the writer: a table of factories, one per provider.

Adding a provider is one file with a `ModelClient` and one line here; the
config's `brief.writer` choices must name the same keys (a test checks). Every
model writer falls back story by story to the offline writer and shares the
reply cache in the newsletter's database.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from newsletter.brief.report import DraftReport
from newsletter.brief.setup import DraftSetup
from newsletter.brief.writers.base import ModelClient, Writer
from newsletter.brief.writers.cache import ReplyCache
from newsletter.brief.writers.emoji import emoji_table
from newsletter.brief.writers.extractive import ExtractiveWriter
from newsletter.brief.writers.model import ModelWriter
from newsletter.brief.writers.openai import OpenAIClient


def _bedrock(setup: DraftSetup) -> ModelClient:
    from newsletter.brief.writers.bedrock import BedrockClient  # boto3: only when configured

    return BedrockClient(setup.bedrock, region=setup.region)


def _openai(setup: DraftSetup) -> ModelClient:
    return OpenAIClient(setup.openai)


#: Model providers by `brief.writer`; "extractive" (offline) needs no client.
PROVIDERS: dict[str, Callable[[DraftSetup], ModelClient]] = {
    "bedrock": _bedrock,
    "openai": _openai,
}
WRITERS = ("extractive", *PROVIDERS)


def make_writer(setup: DraftSetup, report: DraftReport, database: Callable[[], Engine]) -> Writer:
    """The configured writer; a model writer falls back to the offline one per story.

    `database` opens the engine of the reply cache (`[brief] cache`), only for a model writer.
    """
    brief = setup.brief
    emoji = emoji_table(brief.emoji)
    offline = ExtractiveWriter(emoji=emoji)
    report.writer = brief.writer
    provider = PROVIDERS.get(brief.writer)
    if provider is None:
        return offline
    cache = ReplyCache.open(database) if brief.cache else None
    return ModelWriter(
        provider(setup),
        report=report,
        fallback=offline,
        emoji=emoji,
        name=setup.name,
        cache=cache,
    )
