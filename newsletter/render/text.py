"""The plain-text edition, readable in a terminal mail client (mutt, aerc, Alpine).

Terminals give Hangul, CJK and most emoji two columns, so `textwrap` (which
counts code points) would overrun 72 columns by half again on a Korean
paragraph. Wrapping here counts display columns; URLs are never broken (a
broken URL cannot be clicked) and sit on their own line instead.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, AnyStr

from newsletter.columns import COLUMN_CODEC, column_bytes, display_width, graphemes
from newsletter.render.environment import render_template, squeeze_blank_lines

if TYPE_CHECKING:
    from newsletter.render.context import EditionView

TEMPLATE = "edition.txt.j2"
WIDTH = 72

__all__ = ["WIDTH", "display_width", "render_text", "underline", "wrap"]

_URL = re.compile(r"^(https?://|mailto:|%%)\S*$")
_decode = codecs.getdecoder(COLUMN_CODEC)  # looked up once: `bytes.decode` looks it up per call


def wrap(text: str, width: int = WIDTH, indent: str = "", first: str | None = None) -> str:
    """Greedy word wrap by display width; `first` prefixes line 1, `indent` the others.

    A word wider than the line is cut by columns, except a URL or placeholder,
    which is kept whole on its own line.
    """
    return _wrapped(text, width, indent, indent if first is None else first)


@lru_cache(maxsize=4096)
def _wrapped(text: str, width: int, indent: str, first: str) -> str:
    """`wrap`, remembered: `newsletter preview` renders the edition again on every save,
    and all but the paragraph being edited come back the same."""
    wrapped = _sliced(text, width, indent, first)
    return "\n".join(_wrap_words(text, width, indent, first)) if wrapped is None else wrapped


def _sliced(text: str, width: int, indent: str, first: str) -> str | None:
    """`wrap` with the lines cut out of `text` whole, or None when that would differ.

    An edition wraps thousands of words, mostly English or Korean paragraphs with
    one space between words (`one_line` made them so). In their one-column-per-byte
    form (`column_bytes`) a line is the text up to the last space within its room:
    one `rfind` per line instead of a step per word. Anything else (two spaces, an
    emoji, a word wider than the line) is wrapped word by word.
    """
    if not text or text[0] == " " or text[-1] == " " or "  " in text:
        return None
    room = width - display_width(first)
    if text.isascii():
        if not text.isprintable():  # a tab, a line break: the only whitespace must be the space
            return None
        if len(text) <= room:
            return first + text  # one line, as most headings and references are
        lines = _cut_at_spaces(text, " ", room, width - display_width(indent))
        return None if lines is None else first + ("\n" + indent).join(lines)
    encoded = column_bytes(text)  # Korean: printable ASCII and Hangul only
    if encoded is None:
        if text.isprintable() and display_width(text) <= room:
            # A headline with an emoji, on one line. Measured whole, a text is never
            # narrower than its words with a space each (VS16 after a space widens it).
            return first + text
        return None
    if len(encoded) <= room:
        return first + text
    cut = _cut_at_spaces(encoded, b" ", room, width - display_width(indent))
    if cut is None:
        return None
    body = _decode(b"\n".join(cut))[0]  # one decoding, not one per line
    return first + (body.replace("\n", "\n" + indent) if indent else body)


def _cut_at_spaces(text: AnyStr, space: AnyStr, room: int, later_room: int) -> list[AnyStr] | None:
    """`text` (one column per item) cut at the last space within `room`, then `later_room`;
    None when a word is wider than its line."""
    lines = []
    start = 0
    while len(text) - start > room:
        # (a prefix wider than the line leaves no room: a negative end would count from the back)
        end = text.rfind(space, start, start + room + 1) if room > 0 else -1
        if end == -1:
            return None  # cut by columns, or a URL kept whole: word by word
        lines.append(text[start:end])
        start, room = end + 1, later_room
    lines.append(text[start:])
    return lines


def _wrap_words(text: str, width: int, indent: str, first: str) -> list[str]:
    """`wrap` word by word, for any text: the definition `_sliced` must agree with."""
    lines: list[str] = []
    words: list[str] = []
    prefix = first
    used = display_width(prefix)

    def flush() -> None:
        nonlocal prefix, used, words
        lines.append((prefix + " ".join(words)).rstrip())
        prefix, words, used = indent, [], display_width(indent)

    for word in text.split():
        cols = display_width(word)
        if used + cols + (1 if words else 0) <= width:
            used += cols + (1 if words else 0)
            words.append(word)
            continue
        if words:
            flush()
        if used + cols <= width or _URL.match(word):
            words.append(word)
            used += cols
            continue
        room = width - max(display_width(first), display_width(indent))
        for piece in _cut(word, room):
            if words:
                flush()
            words.append(piece)
            used += display_width(piece)
    if words or not lines:
        lines.append((prefix + " ".join(words)).rstrip())
    return lines


def _cut(word: str, width: int) -> list[str]:
    """Split an unbreakable run (a long Hangul compound, a hash) into ≤ width pieces."""
    width = max(width, 2)
    pieces, piece, piece_width = [], "", 0
    for cluster in graphemes(word):
        cols = display_width(cluster)
        if piece and piece_width + cols > width:
            pieces.append(piece)
            piece, piece_width = "", 0
        piece += cluster
        piece_width += cols
    if piece:
        pieces.append(piece)
    return pieces


@lru_cache(maxsize=1024)
def underline(text: str, char: str = "=", width: int = WIDTH) -> str:
    """A heading wrapped to `width` and underlined as wide as its widest line (remembered
    like `wrap`'s paragraphs)."""
    wrapped = _wrapped(text, width, "", "")
    rule = max(map(display_width, wrapped.split("\n")))
    return f"{wrapped}\n{char * rule}"


def render_text(view: EditionView, templates: Path | None = None) -> str:
    """The finished text edition: wrapped, with numbered source references."""
    filters = {"wrap": wrap, "underline": underline}
    text = render_template(TEMPLATE, filters, templates, v=view, width=WIDTH, rule="-" * WIDTH)
    return squeeze_blank_lines(text).strip("\n") + "\n"
