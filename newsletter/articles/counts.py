"""How reading the picked stories' article pages went: for the draft report."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticleCounts:
    """Article pages of the picked stories: read, or why the feed's text was used instead."""

    wanted: int = 0
    fetched: int = 0  # extracted now or from the cache
    cached: int = 0  # of those, answered from the cache (304 or fresh enough)
    failures: dict[str, int] = field(default_factory=dict)  # reason → count
    disabled: bool = False
    extract_seconds: list[float] = field(default_factory=list)  # CPU per extracted page

    def failed(self, reason: str) -> None:
        self.failures[reason] = self.failures.get(reason, 0) + 1

    def line(self) -> str:
        if self.disabled:
            return "articles: not fetched ([brief] fetch_articles = false): writers used feed text"
        if not self.wanted:
            return ""
        line = f"articles: {self.fetched}/{self.wanted} read ({self.cached} from the cache)"
        fell_back = self.wanted - self.fetched
        if fell_back:
            why = ", ".join(f"{n} {reason}" for reason, n in sorted(self.failures.items()))
            line += f"; {fell_back} fell back to the feed text ({why})"
        return line
