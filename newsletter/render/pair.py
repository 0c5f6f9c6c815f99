"""The email and its web copy inlined together: the stories they share are inlined once.

The web copy differs from the email only around the stories (no preheader, other
links in the top bar and the footer); the stories themselves — most of the
document — are the same MRML output in both. premailer's cost grows with the
document, so the web copy is inlined with the shared run of sections replaced by
a stand-in comment, and the email's inlined sections are put in its place.

That gives premailer's own bytes only under conditions checked on every render,
else both documents are inlined whole:

* the shared run is a run of whole MRML sections, cut where one section's closing
  Outlook comment meets the next one's opening comment, at the same depth in both
  documents (the same chain of parent tags), so it parses to the same nodes;
* both documents carry the same stylesheets, and every rule premailer inlines looks
  only at the element itself (`p`, `td.x`, `[data-ogsc]`) or matches nothing in
  either document (MRML's `#outlook a`): the shared elements get the same styles;
* the cut points sit between comment nodes, which lxml writes without any line
  break around them, so the cut pieces serialise as they would in one piece.

tests/render/test_golden.py compares both files with the whole-document output.
"""

from __future__ import annotations

import re
import secrets
from itertools import pairwise
from typing import Any

from lxml import etree
from premailer.premailer import _create_cssselector

from newsletter.render.inliner import MemoPremailer, inliner

#: Between two MRML sections: one's closing Outlook comment, the next one's opening one.
_SECTION_END = b"<![endif]-->"
_SECTION_CUT = _SECTION_END + b"<!--[if mso | IE]><table"
#: A selector premailer matches by the element alone: a tag, classes, an id, attributes.
_COMPOUND = re.compile(r"(?:\*|[\w-]+)?(?:[.#][\w-]+|\[[^\]]*\])*")
_COMBINATOR = re.compile(r"\s*[\s>+~]\s*")
_TOKEN = secrets.token_hex(8)
_EMAIL_MARKS = (f"<!--nl-{_TOKEN}-start-->".encode(), f"<!--nl-{_TOKEN}-end-->".encode())
_WEB_MARKS = (f"<!--nl-{_TOKEN}-web-a-->".encode(), f"<!--nl-{_TOKEN}-web-b-->".encode())


def inline_pair(email: bytes, web: bytes) -> tuple[str, str] | None:
    """Both documents inlined (as premailer writes them, decoded), or None when the
    shortcut's conditions do not hold and each must be inlined whole. The shared part is
    decoded once: the cuts fall between ASCII comments, so the pieces decode alike."""
    run = _shared_run(email, web)
    if run is None or any(mark in document for document in (email, web) for mark in _MARKS):
        return None
    (e_start, e_end), (w_start, w_end) = run
    start, end = _EMAIL_MARKS
    marked = b"".join((email[:e_start], start, email[e_start:e_end], end, email[e_end:]))
    stand_in = b"".join((web[:w_start], *_WEB_MARKS, web[w_end:]))
    premailer = inliner()
    email_tree, email_sheets = premailer.inlined_tree(marked)
    web_tree, web_sheets = premailer.inlined_tree(stand_in)
    if email_sheets != web_sheets:
        return None
    email_marks = _marks(email_tree, _EMAIL_MARKS)
    web_marks = _marks(web_tree, _WEB_MARKS)
    if (
        email_marks is None
        or web_marks is None
        or _tags_above(email_marks) != _tags_above(web_marks)
    ):
        return None
    if web_marks[0].getnext() is not web_marks[1]:
        return None
    if not _element_local(premailer, email_sheets, (email_tree, web_tree)):
        return None
    email_out = premailer.serialised(email_tree, marked)
    web_out = premailer.serialised(web_tree, stand_in)
    head, found, rest = email_out.partition(start)
    shared, found_end, tail = rest.partition(end)
    if not found or not found_end or start in tail or end in tail:
        return None
    web_head, found, web_tail = web_out.partition(b"".join(_WEB_MARKS))
    if not found or any(mark in web_tail for mark in _WEB_MARKS):
        return None
    text = shared.decode("utf-8")
    return (
        head.decode("utf-8") + text + tail.decode("utf-8"),
        web_head.decode("utf-8") + text + web_tail.decode("utf-8"),
    )


_MARKS = (*_EMAIL_MARKS, *_WEB_MARKS)
_MARK_NODES = etree.XPath("//comment()[starts-with(., $prefix)]")


def _shared_run(email: bytes, web: bytes) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The longest run of whole inner sections the two documents share, as byte ranges."""
    email_cuts = _cuts(email)
    web_cuts = _cuts(web)
    # inner sections only: the first piece holds the head, the last one the document's end
    email_pieces = {email[a:b]: i for i, (a, b) in enumerate(pairwise(email_cuts))}
    best: tuple[int, int, int] | None = None  # (length in bytes, email index, web index)
    web_pairs = list(pairwise(web_cuts))
    j = 0
    while j < len(web_pairs):
        a, b = web_pairs[j]
        i = email_pieces.get(web[a:b])
        if i is None:
            j += 1
            continue
        count = 1
        while (
            j + count < len(web_pairs)
            and i + count < len(email_cuts) - 1
            and web[slice(*web_pairs[j + count])]
            == email[email_cuts[i + count] : email_cuts[i + count + 1]]
        ):
            count += 1
        size = web_pairs[j + count - 1][1] - a
        if best is None or size > best[0]:
            best = (size, i, j)
        j += count
    if best is None:
        return None
    size, i, j = best
    e_start = email_cuts[i]
    w_start = web_pairs[j][0]
    return (e_start, e_start + size), (w_start, w_start + size)


def _cuts(document: bytes) -> list[int]:
    cuts = []
    at = document.find(_SECTION_CUT)
    while at >= 0:
        cuts.append(at + len(_SECTION_END))
        at = document.find(_SECTION_CUT, at + len(_SECTION_END))
    return cuts


def _marks(tree: Any, marks: tuple[bytes, bytes]) -> tuple[Any, Any] | None:
    """The two marker comments, when each sits between two comments under one parent."""
    texts = [mark[4:-3].decode() for mark in marks]
    found = _MARK_NODES(tree, prefix=f"nl-{_TOKEN}-")
    if [node.text for node in found] != texts:
        return None
    first, second = found
    parent = first.getparent()
    if parent is None or second.getparent() is not parent:
        return None
    for node in found:
        before, after = node.getprevious(), node.getnext()
        if not _comment(before) or not _comment(after) or node.tail or before.tail:
            return None
    return first, second


def _comment(node: Any) -> bool:
    return node is not None and node.tag is etree.Comment


def _tags_above(marks: tuple[Any, Any]) -> list[str]:
    return [element.tag for element in marks[0].iterancestors()]


def _element_local(premailer: MemoPremailer, sheets: Any, trees: tuple[Any, Any]) -> bool:
    """Every inlined rule looks at the element alone, or its first part matches nothing."""
    for selector in premailer.selectors(sheets):
        if ":" in selector:
            return False
        if _COMPOUND.fullmatch(selector):
            continue
        first = _COMBINATOR.split(selector.strip(), maxsplit=1)[0]
        if not _COMPOUND.fullmatch(first):
            return False
        match = _create_cssselector(first)
        if any(match(tree.getroot()) for tree in trees):
            return False
    return True
