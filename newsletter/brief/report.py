"""What one `draft` run did: which writer wrote which story, what the model cost, how long.

The model writer degrades story by story to the offline writer; an editor
reviewing `briefing.json` must know which stories those were, and whoever pays
the bill wants the tokens, so `draft` (and `daily`) print this. Writers fill it
from several threads at once, so every change goes through `lock`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date

from newsletter.articles.counts import ArticleCounts
from newsletter.brief.select import Candidate

#: Who wrote a story or the frame.
BY_MODEL, BY_CACHE, BY_OFFLINE = "model", "cache", "offline"


@dataclass(frozen=True)
class Fallback:
    """A story the model did not write, and why."""

    headline: str
    reason: str


@dataclass(frozen=True)
class StoryCost:
    """One story's (or the frame's) share of the run."""

    headline: str
    by: str  # BY_MODEL | BY_CACHE | BY_OFFLINE
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0


@dataclass
class DraftReport:
    writer: str = "extractive"
    model: str = ""
    stories: int = 0
    model_stories: int = 0
    cached_stories: int = 0
    fallbacks: list[Fallback] = field(default_factory=list)
    calls: int = 0
    retries: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    price_input_per_1m: float = 0.0
    price_output_per_1m: float = 0.0
    costs: dict[str, StoryCost] = field(default_factory=dict)  # cluster key → cost
    order: list[str] = field(default_factory=list)  # cluster keys in edition order
    frame: str = ""  # how the greeting/subject/preheader/emoji were written
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    candidates: list[Candidate] = field(default_factory=list)  # every story considered
    articles: ArticleCounts = field(default_factory=lambda: ArticleCounts())

    @property
    def cost(self) -> float:
        """Estimated USD from the configured per-1,000,000-token prices."""
        return self.price(self.input_tokens, self.output_tokens)

    def price(self, input_tokens: int, output_tokens: int) -> float:
        return (
            input_tokens / 1e6 * self.price_input_per_1m
            + output_tokens / 1e6 * self.price_output_per_1m
        )

    def add_usage(self, input_tokens: int, output_tokens: int) -> None:
        """Count a reply's tokens (also for replies we then reject: they were billed)."""
        with self.lock:
            self.input_tokens += input_tokens
            self.output_tokens += output_tokens

    def selection_line(self) -> str:
        """How the stories were chosen, in one line ("" before selection ran)."""
        if not self.candidates:
            return ""
        picked = sum(1 for c in self.candidates if c.picked)
        counts: dict[str, int] = {}
        for candidate in self.candidates:
            if not candidate.picked:
                reason = candidate.reason.split(":")[0].split(" (")[0]
                reason = "lower scores" if reason.startswith("below the") else reason
                counts[reason] = counts.get(reason, 0) + 1
        rest = ", ".join(f"{n} {why}" for why, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        line = f"selection: {picked} of {len(self.candidates)} candidate stories picked"
        return line + (f"; not picked: {rest}" if rest else "")

    def explain(self) -> list[dict[str, object]]:
        """Every candidate, best first: headline, score, its parts, topics, decision."""
        return [
            {
                "headline": c.cluster.items[0].title,
                "section": c.cluster.section,
                "sources": len(c.cluster.items),
                "score": round(c.score, 2),
                "parts": c.parts(),
                "topics": c.topics,
                "picked": c.picked,
                "reason": c.reason,
            }
            for c in self.candidates
        ]

    def selection_json(self, day: date) -> str:
        """`editions/D/selection.json`: the explanation, for a later look at the edition."""
        doc = {"schema": 1, "date": day.isoformat(), "candidates": self.explain()}
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"

    def lines(self) -> list[str]:
        """Human lines for the terminal: the model's use if any, then selection and articles."""
        editor = [line for line in (self.selection_line(), self.articles.line()) if line]
        if self.writer == "extractive":
            return editor
        offline = len(self.fallbacks)
        cached = f" ({self.cached_stories} from the reply cache)" if self.cached_stories else ""
        retries = f"{self.retries} retr{'y' if self.retries == 1 else 'ies'}"
        out = [
            f"{self.writer} ({self.model}): {self.model_stories}/{self.stories} stories by the "
            f"model{cached}, {offline} by the offline writer; {self.calls} calls, {retries}; "
            f"{self.seconds:.1f} s",
            f"tokens: {self.input_tokens:,} in + {self.output_tokens:,} out "
            f"≈ ${self.cost:.4f} (at ${self.price_input_per_1m:g}/"
            f"${self.price_output_per_1m:g} per 1M)",
        ]
        for number, key in enumerate(self.order, start=1):
            cost = self.costs.get(key)
            if cost is not None:
                out.append(f"  {number}. {self._cost_line(cost)}")
        if self.frame:
            out.append(f"frame: {self.frame}")
        out += [f"fallback: {f.headline} — {f.reason}" for f in self.fallbacks]
        out += self.notes
        return out + editor

    def _cost_line(self, cost: StoryCost) -> str:
        headline = cost.headline if len(cost.headline) <= 60 else cost.headline[:59] + "…"
        if cost.by == BY_MODEL:
            spent = self.price(cost.input_tokens, cost.output_tokens)
            return (
                f"{headline} — model, {cost.input_tokens:,}+{cost.output_tokens:,} tokens "
                f"${spent:.4f}, {cost.seconds:.1f} s"
            )
        if cost.by == BY_CACHE:
            return f"{headline} — reply cache, $0, {cost.seconds:.1f} s"
        return f"{headline} — offline writer, {cost.seconds:.1f} s"
