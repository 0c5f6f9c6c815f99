"""The feed cache's entry blob: cleaned and raw entries round-trip; anything else is a miss."""

from __future__ import annotations

import json
import zlib

import pytest

from newsletter.collect.entries import CleanEntry
from newsletter.collect.parse import RawEntry
from newsletter.collect.stored import FORMAT, pack, unpack

RAW = RawEntry(
    guid="g1",
    link="/a?utm_source=x",
    title="Raw <b>title</b>",
    title_html=True,
    content="<p onclick='x'>Body</p>",
    base="https://feed.example/",
    author="Kim",
    published=1_770_000_000.0,
)
CLEAN = CleanEntry(
    published=None,
    guid="g2",
    url="https://feed.example/b",
    identity="0123456789abcdef",
    title="삼성전자가 새 칩을 발표",
    content_html="<p>Body</p>",
    summary="Body",
    author="",
    guid_text="g2",
    title_features=["삼성", "성전", "전자", "자가", "칩을"],
    lead_features=["body"],
)


def test_raw_and_cleaned_entries_round_trip():
    assert unpack(pack([RAW, CLEAN])) == [RAW, CLEAN]
    assert unpack(pack([])) == []


def _blob(rows: object) -> bytes:
    return zlib.compress(json.dumps(rows).encode())


@pytest.mark.parametrize(
    "blob",
    [
        b"not zlib",
        zlib.compress(b"\xff\xfe not json"),
        _blob({"entries": []}),
        _blob([["g", "l", "t", False, "c", "b", "a", 1.0]]),  # layout 1: a raw row, no tag
        _blob([[0, "g", "l"]]),  # too short
        _blob([[7, *range(8)]]),  # unknown kind
        _blob([[[0], *range(8)]]),  # a kind that is not a number
        _blob([[0, "g", "l", "t", False, "c", "b", "a", "yesterday"]]),  # a date that is not
        _blob([[1, None, "g", "u", "i", "t", "h", "s", "a", "g", ["x"], "y"]]),  # features
    ],
)
def test_anything_but_this_layout_raises_value_error(blob):
    with pytest.raises(ValueError):
        unpack(blob)


def test_the_format_changes_with_the_cleaning_and_feature_rules(monkeypatch):
    import importlib

    from newsletter.collect import clean, dedupe, stored

    assert FORMAT // 10_000 == stored.LAYOUT
    monkeypatch.setattr(clean, "CLEANING", clean.CLEANING + 1)
    assert importlib.reload(stored).FORMAT != FORMAT
    monkeypatch.setattr(clean, "CLEANING", clean.CLEANING - 1)
    monkeypatch.setattr(dedupe, "FEATURES", dedupe.FEATURES + 1)
    assert importlib.reload(stored).FORMAT != FORMAT
    monkeypatch.undo()
    assert importlib.reload(stored).FORMAT == FORMAT
