"""`briefing.json` on disk, and knowing whether a person has edited it.

The file is an editing surface: between `draft` and `send` somebody may fix a
headline. A fingerprint of what `draft` wrote is kept beside it; when the file no
longer matches, it was edited by hand and a re-draft must not destroy that work.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from newsletter.files import replace_together
from newsletter.model import Briefing

BRIEFING_NAME = "briefing.json"
_FINGERPRINT_NAME = ".briefing.sha256"


def save_briefing(briefing: Briefing, directory: Path) -> Path:
    """Write briefing.json atomically and remember its fingerprint as ours."""
    directory.mkdir(parents=True, exist_ok=True)
    text = briefing.to_json()
    path = directory / BRIEFING_NAME
    replace_together({path: text, directory / _FINGERPRINT_NAME: _digest(text) + "\n"})
    return path


def load_briefing(directory: Path) -> Briefing:
    """Read and validate briefing.json; `ModelError` names the JSON path of a problem."""
    return Briefing.from_json((directory / BRIEFING_NAME).read_text(encoding="utf-8"))


def is_hand_edited(directory: Path) -> bool:
    """True when briefing.json differs from what `draft` last wrote (or was written by hand)."""
    path = directory / BRIEFING_NAME
    if not path.exists():
        return False
    fingerprint = directory / _FINGERPRINT_NAME
    if not fingerprint.exists():
        return True
    current = _digest(path.read_text(encoding="utf-8"))
    return current != fingerprint.read_text(encoding="ascii").strip()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
