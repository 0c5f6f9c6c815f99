"""The nesting bound counts structure exactly, whatever strings hold (brackets, quotes,
backslashes), and refuses what would make `json.loads` recurse too deep."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.bounded_json import MAX_DEPTH, UnreadableJson, load_json, nesting

TRICKY = st.text(alphabet='[]{}"\\/ab\n\u2028', max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY, inner, max_size=3),
    max_leaves=30,
)


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_nesting_is_the_structure_s_depth(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert nesting(text) == depth_of(value)
    assert load_json(text) == value


@pytest.mark.parametrize(
    "document",
    [
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        "[" * 2000 + "]" * 2000,
        '{"a":' * 2000 + "1" + "}" * 2000,
        "[" * 1_000_000,
    ],
)
def test_too_deep_is_refused_before_parsing(document: str) -> None:
    with pytest.raises(UnreadableJson, match="nested deeper than 32 levels"):
        load_json(document, max_bytes=len(document))


def test_size_encoding_and_syntax_are_one_line_reasons() -> None:
    assert load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(UnreadableJson, match="larger than 256 KB"):
        load_json(b" " * (256 * 1024 + 1))
    with pytest.raises(UnreadableJson, match="not UTF-8"):
        load_json(b'{"a": "\xff"}')
    with pytest.raises(UnreadableJson, match="not JSON"):
        load_json('{"a": ')
    with pytest.raises(UnreadableJson, match="not JSON"):
        load_json('"' + "\\" * 5001)


def test_many_brackets_side_by_side_or_in_strings_are_not_depth() -> None:
    siblings = "[" + ",".join(["{}"] * 100) + "]"
    in_strings = json.dumps({"text": "[{" * 100})
    assert load_json(siblings) == [{}] * 100
    assert load_json(in_strings) == {"text": "[{" * 100}
