"""Batched cache I/O: a burst becomes one batch, and a failing row stays that feed's problem."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import OperationalError

from newsletter.collect.cache_io import CacheIO


class Recorder:
    """A stand-in for FeedCache (a unit test may stub; the real one is tested through the
    database in test_collect_cache): records batches, refuses rows for one feed."""

    def __init__(self, refuse: str = "") -> None:
        self.refuse = refuse
        self.read_batches: list[list[str]] = []
        self.write_batches: list[list[str]] = []
        self.saved: list[str] = []

    def blobs(self, feeds: list[str]) -> dict[str, bytes]:
        self.read_batches.append(list(feeds))
        return {feed: feed.encode() for feed in feeds if feed != "missing"}

    def save_many(self, rows: list[tuple[str, dict[str, object], bool]]) -> None:
        feeds = [feed for feed, _, _ in rows]
        self.write_batches.append(feeds)
        if self.refuse in feeds:
            raise OperationalError("UPDATE", {}, Exception("disk I/O error\nmore detail"))
        self.saved.extend(feeds)


async def _in_thread(fn, *args):
    return await asyncio.to_thread(fn, *args)


def test_a_burst_of_reads_and_writes_goes_in_few_batches():
    cache = Recorder()

    async def main():
        io = CacheIO(cache, _in_thread)  # type: ignore[arg-type]
        feeds = [f"f{n}" for n in range(20)] + ["missing"]
        blobs = await asyncio.gather(*(io.blob(feed) for feed in feeds))
        notes = await asyncio.gather(*(io.save(feed, {"checked_at": 1.0}, True) for feed in feeds))
        return feeds, blobs, notes

    feeds, blobs, notes = asyncio.run(main())
    assert blobs == [f.encode() for f in feeds[:-1]] + [None]
    assert notes == [""] * len(feeds)
    assert len(cache.read_batches) <= 2 and len(cache.write_batches) <= 2
    assert sorted(cache.saved) == sorted(feeds)


def test_a_failing_row_is_reported_on_its_feed_and_the_others_are_saved():
    cache = Recorder(refuse="bad")

    async def main():
        io = CacheIO(cache, _in_thread)  # type: ignore[arg-type]
        feeds = ["a", "bad", "c"]
        return await asyncio.gather(*(io.save(feed, {"checked_at": 1.0}, True) for feed in feeds))

    notes = asyncio.run(main())
    assert notes[0] == notes[2] == ""
    assert notes[1].startswith("feed cache not updated: ") and "\n" not in notes[1]
    assert sorted(cache.saved) == ["a", "c"]
