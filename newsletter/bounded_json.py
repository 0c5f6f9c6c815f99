"""JSON from outside — a webhook body, a queue message, the SES notification inside, a model
server's reply — bounded before it is parsed.

`json.loads` recurses once per level of nesting, so `"[" * 2000` raises RecursionError
(not ValueError): it answered 500 on the webhook and ended every `feedback poll`
before the genuine bounce beside it was recorded. Here the size is capped first,
then a few linear passes measure the nesting outside strings (escapes honoured);
only a document within both bounds reaches the parser. An SES notification nests
about six levels deep.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_BYTES = 256 * 1024  # an SNS or SQS message is at most 256 KB
MAX_DEPTH = 32

#: An escape pair, then a whole string once escapes are gone, then what is left besides
#: brackets: three linear passes in C before Python looks at the brackets alone.
_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class UnreadableJson(ValueError):
    """Not JSON we will read; `str()` is the one-line reason."""


def load_json(
    document: str | bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    """The parsed document, or UnreadableJson (too large, nested too deep, not UTF-8, not JSON)."""
    if len(document) > max_bytes:
        raise UnreadableJson(f"larger than {max_bytes // 1024} KB")
    if isinstance(document, bytes):
        try:
            document = document.decode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableJson("not UTF-8") from None
    # no more opening brackets than levels allowed, wherever they are: no deeper either
    # (two counts in C; the scan below cost an SES event four times its parse)
    fits = document.count("{") + document.count("[") <= max_depth
    if not fits and nesting(document) > max_depth:
        raise UnreadableJson(f"nested deeper than {max_depth} levels")
    try:
        return json.loads(document)
    except ValueError:
        raise UnreadableJson("not JSON") from None


def nesting(text: str) -> int:
    """How deep `text`'s arrays and objects nest; brackets inside strings are text.

    Exact for JSON (backslashes occur only inside strings there); for a broken
    document it may count more than the parser would reach, never less."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", _ESCAPE.sub("", text)))
    return max(accumulate(_STEP[char] for char in brackets), default=0)
