"""Group commit for unsubscribe clicks: concurrent requests share one transaction.

SQLite commits one writer at a time and every commit has a fixed cost, so a
burst of one-click POSTs (a big send lands, mail clients fire RFC 8058 requests)
is limited by commits, not by work. Requests that arrive while a batch is being
written wait for the next batch, which is written as soon as the previous one
commits: no timer, no added delay for a lone click (it is a batch of one), and
every request is answered only after the transaction holding its change
committed.
"""

from __future__ import annotations

import asyncio

from newsletter.audience.store import SubscriberStore
from newsletter.web.offload import Offload

MAX_BATCH = 500


class UnsubscribeBatcher:
    """`await unsubscribe(id, source)`: True when this request changed the subscriber."""

    def __init__(self, store: SubscriberStore, offload: Offload) -> None:
        self.store = store
        self.offload = offload
        self._pending: list[tuple[int, str, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def unsubscribe(self, subscriber_id: int, source: str) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((subscriber_id, source, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        # shield: a client that hangs up must not cancel a write other requests share
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                changed = await self.offload.write(self._write, batch)
            except Exception as exc:
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for subscriber_id, source, future in batch:
                if not future.done():
                    future.set_result((subscriber_id, source) in changed)

    def _write(self, batch: list[tuple[int, str, asyncio.Future[bool]]]) -> set[tuple[int, str]]:
        by_source: dict[str, list[int]] = {}
        for subscriber_id, source, _ in batch:
            by_source.setdefault(source, []).append(subscriber_id)
        changed: set[tuple[int, str]] = set()
        for source, ids in by_source.items():
            changed.update((i, source) for i in self.store.unsubscribe_many(ids, source=source))
        return changed
