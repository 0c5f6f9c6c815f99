"""What a writer is (one story cluster in, one Story out) and what a model provider is.

Writers differ in how they word a story (extractive sentences offline, a model
when configured) but never in what a Story contains, so the renderer and the
hand-editing workflow do not care which one wrote it. Model providers (Bedrock,
OpenAI-compatible servers) differ only in how one structured request travels:
`ModelClient.ask` takes the same `Ask` and gives the same `ModelReply`, so the
retries, the cache, the fallback and the cost report are written once
(`writers/model.py`) for every provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from newsletter.brief.select import Cluster
from newsletter.model import Source, Story


class Writer(Protocol):
    """Turns one cluster of items into one Story in the edition's language."""

    def write(self, cluster: Cluster, language: str) -> Story: ...


@dataclass(frozen=True)
class Ask:
    """One structured request: the reply must be a JSON object matching `schema`."""

    system: str
    user: str
    tool: str  # the function/tool name the reply goes through
    description: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class ModelReply:
    """The reply's JSON object, or why there is none; tokens are counted either way (billed)."""

    fields: dict[str, Any] | None
    problem: str = ""
    input_tokens: int = 0
    output_tokens: int = 0


class Throttled(Exception):
    """The provider asked us to slow down (429/503, ThrottlingException); worth retrying."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Unavailable(Exception):
    """The call failed for a reason that will likely repeat for the next story too."""


class ModelClient(Protocol):
    """One provider: `name` and `model` label the report and key the reply cache."""

    name: str
    model: str
    price_input_per_1m: float
    price_output_per_1m: float
    max_attempts: int

    def ask(self, request: Ask) -> ModelReply: ...


def sources_of(cluster: Cluster) -> list[Source]:
    """Every distinct article of the cluster, so readers can check each publisher."""
    seen: set[str] = set()
    sources = []
    for item in cluster.items:
        if item.url in seen:
            continue
        seen.add(item.url)
        sources.append(Source(item.title, item.url, item.feed_title, item.published))
    return sources
