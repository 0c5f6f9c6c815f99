"""The feed cache's entry blob: a feed's entries, raw or already cleaned, packed small.

A 304 is the common answer on a daily run, so reading a feed back must cost
little: rows are plain JSON lists (no keys, no objects), compressed with zlib
level 1 (a sixth of the JSON's size, decompressed in microseconds). An entry the
edition used is stored cleaned (`CleanEntry`): its items come back without
feedparser, nh3 or the URL rules. The others stay raw (`RawEntry`), cleaned only
if a later run's window reaches them.

`FORMAT` names this layout *and* the rules the stored values were made by
(`clean.CLEANING`, `dedupe.FEATURES`); the cache ignores rows of any other format (a full fetch
replaces them), so neither a layout change nor a sanitiser fix can serve stale
or unreadable rows. `unpack` raises `ValueError` for anything that is not a blob
of this layout: a damaged row is a cache miss, never a crash.
"""

from __future__ import annotations

import json
import zlib

from newsletter.collect.clean import CLEANING
from newsletter.collect.dedupe import FEATURES
from newsletter.collect.entries import CleanEntry, Entry
from newsletter.collect.parse import RawEntry

LAYOUT = 2  # 1: raw entries only (before cleaned entries were kept)
# What the cache's `format` column holds: a change of any part makes old rows misses.
FORMAT = LAYOUT * 10_000 + CLEANING * 100 + FEATURES
assert CLEANING < 100 and FEATURES < 100

_RAW, _CLEAN = 0, 1
_FIELDS = {_RAW: 8, _CLEAN: 11}


def pack(entries: list[Entry]) -> bytes:
    rows = [_clean_row(entry) if isinstance(entry, CleanEntry) else [_RAW, *entry.to_list()]
            for entry in entries]  # fmt: skip
    data = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(data.encode("utf-8"), 1)


def unpack(blob: bytes) -> list[Entry]:
    try:
        rows = json.loads(zlib.decompress(blob))
    except (zlib.error, UnicodeDecodeError, TypeError) as exc:
        raise ValueError(f"not an entry blob: {exc}") from None
    if not isinstance(rows, list):
        raise ValueError("not an entry blob: not a list")
    entries: list[Entry] = []
    for row in rows:
        if not isinstance(row, list) or not row or type(row[0]) is not int:
            raise ValueError("not an entry blob: unexpected row")
        if _FIELDS.get(row[0]) != len(row) - 1:
            raise ValueError("not an entry blob: unexpected row")
        published = row[-1] if row[0] == _RAW else row[1]
        if published is not None and not isinstance(published, int | float):
            raise ValueError("not an entry blob: bad date")
        if row[0] == _RAW:
            entries.append(RawEntry(*row[1:]))
        elif isinstance(row[-2], str) and isinstance(row[-1], str):
            row[-2], row[-1] = row[-2].split(), row[-1].split()
            entries.append(CleanEntry(*row[1:]))
        else:
            raise ValueError("not an entry blob: bad features")
    return entries


def _clean_row(entry: CleanEntry) -> list[object]:
    """Its dedupe features as two space-separated strings (a feature has no whitespace):
    a little smaller and quicker to read back than lists of fifty short strings."""
    row: list[object] = [_CLEAN, *entry.to_list()]
    row[-2], row[-1] = " ".join(entry.title_features), " ".join(entry.lead_features)
    return row
