"""One feed's entries → the edition's Items: dates, first-seen, window, cleaning.

The window is applied *before* cleaning, because a feed carries weeks of
entries and only a day's worth reach the edition: sanitising the rest would be
wasted work. An entry without a date (or dated in the future — a publisher's
clock or time zone is wrong) gets the time we first saw it, remembered in the
feed cache so it does not look brand new again tomorrow.

An entry that was cleaned becomes a `CleanEntry`, and that is what the feed
cache keeps of it: when the feed answers 304, its items are rebuilt from the
cleaned text without running feedparser, nh3, the URL rules or the dedupe
feature extraction again. Everything an Item takes from the configuration (feed
title, section, weight) or from the run (the first-seen date) is applied afresh
each time, never cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from newsletter.collect.clean import (
    clean_url,
    item_id,
    plain_line,
    sanitize_html,
    text_from_safe_html,
)
from newsletter.collect.dedupe import LEAD_CHARS, Features, features
from newsletter.collect.parse import RawEntry
from newsletter.model import Item
from newsletter.text.boilerplate import strip_boilerplate

FUTURE_SLACK = 600.0  # seconds: small clock differences are not "in the future"


@dataclass(slots=True)
class CleanEntry:
    """An entry after cleaning: all of an Item that depends on the entry alone."""

    published: float | None  # as the feed gave it (POSIX seconds, UTC)
    guid: str  # as the feed gave it: duplicate GUIDs inside one feed are dropped
    url: str
    identity: str
    title: str
    content_html: str
    summary: str
    author: str
    guid_text: str  # the GUID as plain text, for the Item
    title_features: list[str]  # what dedupe compares (see dedupe.features)
    lead_features: list[str]

    def to_list(self) -> list[object]:
        return [
            self.published,
            self.guid,
            self.url,
            self.identity,
            self.title,
            self.content_html,
            self.summary,
            self.author,
            self.guid_text,
            self.title_features,
            self.lead_features,
        ]


Entry = RawEntry | CleanEntry


@dataclass
class FeedContext:
    """What an Item takes from its feed rather than from the entry."""

    feed_url: str
    feed_title: str
    section: str
    weight: float


@dataclass
class Selection:
    items: list[Item] = field(default_factory=list)
    features: list[Features] = field(default_factory=list)  # one per item, for dedupe
    first_seen: dict[str, float] = field(default_factory=dict)  # for the cache
    without_link: int = 0
    duplicates: int = 0
    # Why the others are not items: so a feed that yields nothing can say why.
    total: int = 0
    older: int = 0  # dated before the window
    newest_older: float | None = None
    later: int = 0  # dated after the window's end (a past edition's date)
    undated: int = 0  # no date we can read (or one in the future): dated by first sight
    # The feed's entries with those cleaned now replaced by their CleanEntry: what the
    # cache should keep. `cleaned` counts the replacements (0: the input is as good).
    entries: list[Entry] = field(default_factory=list)
    cleaned: int = 0

    def why_empty(self) -> str:
        """One line saying why this feed gave no items ("" when it gave some)."""
        if self.items:
            return ""
        if not self.total:
            return "the feed has no entries"
        entries = f"{self.total} {'entry' if self.total == 1 else 'entries'}"
        if self.undated == self.total:
            return f"{entries}, no entry has a date we can read (first seen outside the window)"
        newest = ""
        if self.newest_older is not None:
            newest = datetime.fromtimestamp(self.newest_older, UTC).date().isoformat()
        if self.older == self.total:
            return f"{entries}, all older than the window (newest {newest})"
        parts = [
            (
                self.older,
                f"{self.older} older than the window" + (f" (newest {newest})" if newest else ""),
            ),
            (self.later, f"{self.later} after it"),
            (self.undated, f"{self.undated} without a readable date, first seen outside it"),
            (self.duplicates, f"{self.duplicates} duplicates within the feed"),
            (self.without_link, f"{self.without_link} without an http(s) link"),
        ]
        return f"{entries}, none in the window: " + ", ".join(text for n, text in parts if n)


def select_entries(
    entries: Sequence[Entry],
    context: FeedContext,
    seen_before: dict[str, float],
    now: float,
    window: tuple[float, float],
) -> Selection:
    """Items of one feed inside `window` (start exclusive, end inclusive), cleaned.

    Inside one feed an entry is a repeat only when its GUID is (or, without a GUID,
    its link): entries with their own GUIDs are distinct posts even when their links
    differ only by `#fragment` or all point at the show's homepage (a podcast). Such
    entries get an id made from their GUID instead of the shared link, decided over
    the whole feed so an entry's id does not change when a new one arrives.
    `first_seen` comes back holding exactly the undated entries still in the feed,
    so the cache row stays the size of the feed.
    """
    start, end = window
    selection = Selection(entries=list(entries), total=len(entries))
    shared = _shared_links(entries)
    guids: set[str] = set()
    ids: set[str] = set()
    for index, entry in enumerate(entries):
        moment = entry.published
        dated = moment is not None and moment <= now + FUTURE_SLACK
        if dated and not start < moment <= end:  # type: ignore[operator]
            if moment <= start:  # type: ignore[operator]
                selection.older += 1
                newest = selection.newest_older
                selection.newest_older = moment if newest is None else max(newest, moment)  # type: ignore[type-var]
            else:
                selection.later += 1
            continue  # most of a feed: decided before any URL or HTML work
        if isinstance(entry, CleanEntry):
            url, identity = entry.url, entry.identity
        else:
            url = clean_url(entry.link, entry.base) or _guid_link(entry.guid)
            identity = item_id(url, entry.guid, context.feed_url) if url else ""
        if not url:
            selection.without_link += 1
            continue
        if entry.guid and entry.guid in guids:
            selection.duplicates += 1
            continue
        own = identity
        if entry.guid and (_link_of(entry) in shared or identity in ids):
            own = item_id("", entry.guid, context.feed_url)  # its link is not its own
        if own in ids:
            selection.duplicates += 1
            continue
        ids.add(own)
        if entry.guid:
            guids.add(entry.guid)
        remembered = seen_before.get(own)
        if remembered is not None or not dated or moment is None:
            # Once an entry is dated by first sight, it keeps that date (also when a
            # future date it carried has since become the past): dates never jump.
            published = now if remembered is None else remembered
            selection.first_seen[own] = published
        else:
            published = moment
        if not start < published <= end:
            selection.undated += 1
            continue
        if not isinstance(entry, CleanEntry):
            entry = clean_entry(entry, url, identity)
            selection.entries[index] = entry
            selection.cleaned += 1
        item = to_item(entry, published, context)
        selection.items.append(item if own == identity else replace(item, id=own, cluster=own))
        selection.features.append((entry.title_features, entry.lead_features))
    return selection


def _link_of(entry: Entry) -> str:
    """The entry's link as written, without its fragment: what posts of one feed may share."""
    link = entry.url if isinstance(entry, CleanEntry) else entry.link or entry.guid
    return link.partition("#")[0].rstrip("/")


def _shared_links(entries: Sequence[Entry]) -> set[str]:
    """Links (fragment aside) that entries with different GUIDs have in common."""
    owner: dict[str, str] = {}
    shared: set[str] = set()
    for entry in entries:
        if entry.guid:
            link = _link_of(entry)
            if owner.setdefault(link, entry.guid) != entry.guid:
                shared.add(link)
    return shared


def clean_entry(raw: RawEntry, url: str, identity: str) -> CleanEntry:
    """The sanitised, plain-text form of an entry whose link is `url`."""
    title = plain_line(raw.title, raw.title_html)
    content_html = sanitize_html(raw.content, raw.base)
    summary = strip_boilerplate(text_from_safe_html(content_html))
    if not title:
        title = plain_line(summary, is_html=False, limit=120) or url
    return CleanEntry(
        published=raw.published,
        guid=raw.guid,
        url=url,
        identity=identity,
        title=title,
        content_html=content_html,
        summary=summary,
        author=plain_line(raw.author, is_html=False, limit=200),
        guid_text=plain_line(raw.guid, is_html=False, limit=1000),
        title_features=features(title),
        lead_features=features(summary[:LEAD_CHARS]),
    )


def to_item(entry: CleanEntry, published: float, context: FeedContext) -> Item:
    return Item(
        id=entry.identity,
        feed_url=context.feed_url,
        feed_title=context.feed_title,
        section=context.section,
        title=entry.title,
        url=entry.url,
        published=datetime.fromtimestamp(published, UTC),
        summary=entry.summary,
        content_html=entry.content_html,
        author=entry.author,
        guid=entry.guid_text,
        cluster=entry.identity,
        weight=context.weight,
    )


def _guid_link(guid: str) -> str:
    """An RSS `<guid isPermaLink>` is the article's URL when `<link>` is missing."""
    return clean_url(guid) if guid.lower().startswith(("http://", "https://")) else ""
