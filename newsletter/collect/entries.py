"""One feed's raw entries → the edition's Items: dates, first-seen, window, cleaning.

The window is applied *before* cleaning, because a feed carries weeks of
entries and only a day's worth reach the edition: sanitising the rest would be
wasted work. An entry without a date (or dated in the future — a publisher's
clock or time zone is wrong) gets the time we first saw it, remembered in the
feed cache so it does not look brand new again tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsletter.collect.clean import (
    clean_url,
    item_id,
    plain_line,
    sanitize_html,
    text_from_safe_html,
)
from newsletter.collect.parse import RawEntry
from newsletter.model import Item

FUTURE_SLACK = 600.0  # seconds: small clock differences are not "in the future"


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
    first_seen: dict[str, float] = field(default_factory=dict)  # for the cache
    without_link: int = 0
    duplicates: int = 0


def select_entries(
    entries: list[RawEntry],
    context: FeedContext,
    seen_before: dict[str, float],
    now: float,
    window: tuple[float, float],
) -> Selection:
    """Items of one feed inside `window` (start exclusive, end inclusive), cleaned.

    Duplicate GUIDs or links inside one feed keep their first entry (counted among the
    entries inside the window: the others are never looked at closely).
    `first_seen` comes back holding exactly the undated entries still in the feed,
    so the cache row stays the size of the feed.
    """
    start, end = window
    selection = Selection()
    guids: set[str] = set()
    ids: set[str] = set()
    for raw in entries:
        dated = raw.published is not None and raw.published <= now + FUTURE_SLACK
        if dated and not start < raw.published <= end:  # type: ignore[operator]
            continue  # most of a feed: decided before any URL or HTML work
        url = clean_url(raw.link, raw.base) or _guid_link(raw.guid)
        if not url:
            selection.without_link += 1
            continue
        identity = item_id(url, raw.guid, context.feed_url)
        if identity in ids or (raw.guid and raw.guid in guids):
            selection.duplicates += 1
            continue
        ids.add(identity)
        if raw.guid:
            guids.add(raw.guid)
        remembered = seen_before.get(identity)
        if remembered is not None or not dated or raw.published is None:
            # Once an entry is dated by first sight, it keeps that date (also when a
            # future date it carried has since become the past): dates never jump.
            published = now if remembered is None else remembered
            selection.first_seen[identity] = published
        else:
            published = raw.published
        if not start < published <= end:
            continue
        selection.items.append(_item(raw, url, identity, published, context))
    return selection


def _item(raw: RawEntry, url: str, identity: str, published: float, context: FeedContext) -> Item:
    title = plain_line(raw.title, raw.title_html)
    content_html = sanitize_html(raw.content, raw.base)
    summary = text_from_safe_html(content_html)
    if not title:
        title = plain_line(summary, is_html=False, limit=120) or url
    return Item(
        id=identity,
        feed_url=context.feed_url,
        feed_title=context.feed_title,
        section=context.section,
        title=title,
        url=url,
        published=datetime.fromtimestamp(published, UTC),
        summary=summary,
        content_html=content_html,
        author=plain_line(raw.author, is_html=False, limit=200),
        guid=plain_line(raw.guid, is_html=False, limit=1000),
        cluster=identity,
        weight=context.weight,
    )


def _guid_link(guid: str) -> str:
    """An RSS `<guid isPermaLink>` is the article's URL when `<link>` is missing."""
    return clean_url(guid) if guid.lower().startswith(("http://", "https://")) else ""
