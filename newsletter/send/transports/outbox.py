"""The offline transport: one `.eml` file per recipient under `outbox/D/`.

It is what the demo and a first try use: every message can be opened in a mail
client or inspected with the `email` package, and nothing leaves the machine.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from newsletter.files import write_atomically
from newsletter.send.transports.base import SendQuota


class OutboxTransport:
    name = "outbox"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def send(self, raw: bytes, *, recipient: str, tags: dict[str, str]) -> str:
        # one file per recipient per day; a mail of another kind beside it gets its own
        # (`….welcome.eml`), so a welcome does not replace the confirmation it follows
        kind = tags.get("kind", "")
        suffix = f".{kind}" if kind and kind != "confirmation" else ""
        path = self.directory / f"{_file_stem(recipient)}{suffix}.eml"
        write_atomically(path, raw)  # a failed write (full disk) leaves no partial file
        return f"outbox:{path.name}"

    def quota(self) -> SendQuota:
        return SendQuota(max_rate=None, max_24h=None, source="outbox (no limits)")

    def close(self) -> None:
        return None


def _file_stem(address: str) -> str:
    """A readable, filesystem-safe name that stays unique even after replacing characters."""
    readable = re.sub(r"[^A-Za-z0-9@._+-]", "_", address)[:80]
    digest = hashlib.sha256(address.lower().encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}"
