"""A feed's own `include`/`exclude` phrases: applied at collect, counted in the report.

A general feed (a newspaper's "all stories", a subreddit) carries more than the
newsletter's beat. `include = ["AI", "반도체"]` keeps only its entries that talk
about one of the phrases, `exclude = ["sponsored", "광고"]` drops those that talk
about any; both look at the title and the feed's text, with the matching rules of
`text.topics`. Items left out are counted per feed ("12 entries left out by
exclude"), so a filter that is too strict shows in the report instead of
quietly emptying the feed.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsletter.model import Item
from newsletter.text.topics import Matcher


@dataclass(frozen=True)
class FeedFilter:
    include: Matcher
    exclude: Matcher

    @classmethod
    def of(cls, include: list[str], exclude: list[str]) -> FeedFilter:
        return cls(Matcher.of(include), Matcher.of(exclude))

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)

    def apply(self, items: list[Item]) -> tuple[list[Item], str]:
        """The items kept, and the report's note about the others ("" when none left out)."""
        if not self or not items:
            return items, ""
        kept: list[Item] = []
        missed = excluded = 0
        for item in items:
            text = f"{item.title}\n{item.summary}"
            if self.include and not self.include.found(text):
                missed += 1
            elif self.exclude and self.exclude.found(text):
                excluded += 1
            else:
                kept.append(item)
        notes = []
        if missed:
            notes.append(f"{_entries(missed)} left out by include")
        if excluded:
            notes.append(f"{_entries(excluded)} left out by exclude")
        if not kept:
            notes.insert(0, f"all {_entries(len(items))} in the window excluded by filters")
        return kept, "; ".join(notes)


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"
