"""The plain-text edition, readable in a terminal mail client (mutt, aerc, Alpine).

Terminals give Hangul, CJK and most emoji two columns, so `textwrap` (which
counts code points) would overrun 72 columns by half again on a Korean
paragraph. Wrapping here counts display columns; URLs are never broken (a
broken URL cannot be clicked) and sit on their own line instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from newsletter.columns import display_width, graphemes
from newsletter.render.environment import render_template

if TYPE_CHECKING:
    from newsletter.render.context import EditionView

TEMPLATE = "edition.txt.j2"
WIDTH = 72

__all__ = ["WIDTH", "display_width", "render_text", "underline", "wrap"]

_URL = re.compile(r"^(https?://|mailto:|%%)\S*$")


def wrap(text: str, width: int = WIDTH, indent: str = "", first: str | None = None) -> str:
    """Greedy word wrap by display width; `first` prefixes line 1, `indent` the others.

    A word wider than the line is cut by columns, except a URL or placeholder,
    which is kept whole on its own line.
    """
    first = indent if first is None else first
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
    return "\n".join(lines)


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


def underline(text: str, char: str = "=", width: int = WIDTH) -> str:
    """A heading wrapped to `width` and underlined as wide as its widest line."""
    wrapped = wrap(text, width)
    rule = max(display_width(line) for line in wrapped.splitlines())
    return f"{wrapped}\n{char * rule}"


def render_text(view: EditionView, templates: Path | None = None) -> str:
    """The finished text edition: wrapped, with numbered source references."""
    filters = {"wrap": wrap, "underline": underline}
    text = render_template(TEMPLATE, filters, templates, v=view, width=WIDTH, rule="-" * WIDTH)
    # Templates are easier to read with generous blank lines; mail is not.
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"
