"""Run in a separate process by test_store: add the same addresses as a sibling process."""

from __future__ import annotations

import traceback
from typing import Any


def add_all(url: str, addresses: list[str], barrier: Any, results: Any) -> None:
    """Put the ids this process created, or the traceback that stopped it."""
    try:
        from newsletter.audience.store import SubscriberStore
        from newsletter.db import ready

        barrier.wait(timeout=60)  # both processes open the store (and the schema) at once
        store = SubscriberStore(ready(url))
        created = []
        for address in addresses:
            subscriber, was_created = store.add(address, source="cli")
            if was_created:
                created.append(subscriber.id)
        results.put(created)
    except BaseException:
        results.put(traceback.format_exc())
        raise
