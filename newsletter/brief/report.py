"""What one `draft` run did: which writer wrote which story, what the model cost.

The model writer degrades story by story to the offline writer; an editor
reviewing `briefing.json` must know which stories those were, and whoever pays
the AWS bill wants the tokens, so `draft` (and `daily`) print this.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fallback:
    """A story the model did not write, and why."""

    headline: str
    reason: str


@dataclass
class DraftReport:
    writer: str = "extractive"
    stories: int = 0
    model_stories: int = 0
    fallbacks: list[Fallback] = field(default_factory=list)
    calls: int = 0
    retries: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    price_input_per_1k: float = 0.0
    price_output_per_1k: float = 0.0

    @property
    def cost(self) -> float:
        """Estimated USD from the configured per-1,000-token prices."""
        return (
            self.input_tokens / 1000 * self.price_input_per_1k
            + self.output_tokens / 1000 * self.price_output_per_1k
        )

    def add_usage(self, usage: dict[str, object] | None) -> None:
        """Count a Converse `usage` block (also for replies we then reject: they were billed)."""
        usage = usage or {}
        input_tokens, output_tokens = usage.get("inputTokens", 0), usage.get("outputTokens", 0)
        self.input_tokens += input_tokens if isinstance(input_tokens, int) else 0
        self.output_tokens += output_tokens if isinstance(output_tokens, int) else 0

    def lines(self) -> list[str]:
        """Human lines for the terminal; empty for the offline writer (nothing to report)."""
        if self.writer != "bedrock":
            return []
        out = [
            f"bedrock: {self.model_stories}/{self.stories} stories by the model, "
            f"{len(self.fallbacks)} by the offline writer; {self.calls} calls, "
            f"{self.retries} retries",
            f"tokens: {self.input_tokens:,} in + {self.output_tokens:,} out "
            f"≈ ${self.cost:.4f} (at ${self.price_input_per_1k}/"
            f"${self.price_output_per_1k} per 1k)",
        ]
        out += [f"fallback: {f.headline} — {f.reason}" for f in self.fallbacks]
        return out
