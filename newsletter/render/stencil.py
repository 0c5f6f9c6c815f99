"""The HTML edition laid out once per shape; each render only writes the day's words in.

MJML, premailer and lxml's parse cost most of a render, yet none of them looks at
the words: MRML copies an `mj-text`'s content as written, premailer styles an
element by its tag and classes, and lxml reads an escaped one-line string back from
a text node or an attribute as that string. So an edition is rendered once with
every word of the day replaced by a token (`nl…t7x`), inlined, and written out
with a mark in each place that holds words: the *stencil*, the document cut at
those places. A later render of an edition of the same shape — the same number of
stories, sources and paragraphs, the same empty fields, the same settings — joins
the cut pieces with its words written as the whole path would write them
(`newsletter.render.written`): premailer's bytes, without MJML or premailer.

A shape's first render goes the whole way and makes no stencil (a `newsletter daily`
renders each edition once, and making one costs about a whole render); its second
render makes the stencil, and later ones use it (the preview, the scheduler's next
day, the benchmark). What makes two editions the same shape is computed, not
listed: every field of the view that is not one of the day's words (`WORDS`) is
part of the key, so a field added to the view later only makes the cache miss more
often, never wrong. Only the bundled template is stencilled: a customised one may
run filters over the words (`|upper`, `|length`), which a token would not survive.
Anything the stencil cannot place exactly (a token in a comment or a `<style>`, a
word MJML refuses) sends the render down the whole path. tests/render/test_stencil.py
compares both paths on the fixtures and on random words and shapes.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from newsletter.render import html
from newsletter.render.context import UNRENDERABLE
from newsletter.render.environment import DEFAULT_TEMPLATES, effective_templates, template_path
from newsletter.render.inliner import inliner
from newsletter.render.written import Place, as_mrml_attribute, place_of, serialised

if TYPE_CHECKING:
    from newsletter.render.context import EditionView

#: The view's attributes that carry the day's words, by view type: they change from
#: edition to edition without changing its layout. Properties derived from words
#: (`title_line`) are words too.
WORDS: dict[str, frozenset[str]] = {
    "EditionView": frozenset(
        {
            "title",
            "subject",
            "date_long",
            "stories_count",
            "preheader",
            "intro",
            "outro",
            "web_url",
            "masthead_title",
            "masthead_kicker",
        }
    ),
    "StoryView": frozenset(
        {
            "emoji",
            "headline",
            "section",
            "section_name",
            "summary_title",
            "summary",
            "why_title",
            "why",
            "takeaway",
            "title_line",
            "summary_heading",
            "why_heading",
        }
    ),
    "SourceView": frozenset({"title", "url", "publisher"}),
}
#: Derived words: read from the view object (a property), not from its fields.
_PROPERTIES: dict[str, tuple[str, ...]] = {
    "EditionView": ("masthead_title", "masthead_kicker"),
    "StoryView": ("title_line", "summary_heading", "why_heading"),
    "SourceView": (),
}
#: Fields the bundled template reads only through words (the day through `date_long` and
#: `web_url`): left out of the shape, so that another day's edition of the same counts finds
#: the stencil. tests/render/test_stencil.py fails if the template starts reading them.
_READ_THROUGH_WORDS: dict[str, frozenset[str]] = {"EditionView": frozenset({"date"})}
#: Stencils kept per process (one per shape and copy; an entry is one written edition, cut).
CACHE_SIZE = 8

_SECRET = secrets.token_hex(6)
_PREFIX = f"nl{_SECRET}t"
_TOKEN = re.compile(_PREFIX + r"(\d+)x")
_MARK = f"nl{_SECRET}m"
_MARKED = re.compile(_MARK + r"(\d+)x")
_UNSAFE_PARENTS = {"style", "script"}
_IN_TEXT = etree.XPath("//text()[contains(., $p)]")
_IN_ATTRIBUTES = etree.XPath("//@*[contains(., $p)]")
_IN_COMMENTS = etree.XPath(
    "//comment()[contains(., $p)] | //processing-instruction()[contains(., $p)]"
)


@dataclass
class _Walk:
    """One pass over a view: its shape (the cache key) and the words in token order."""

    words: list[str]
    build_tokens: bool
    #: Parts already walked, by id: the email and its web copy share their stories.
    seen: dict[int, tuple[Any, list[str]]] | None = None

    def token(self, value: str) -> str:
        self.words.append(value)
        return f"{_PREFIX}{len(self.words) - 1}x" if self.build_tokens else ""


class _Tokens:
    """The view as the template sees it while a stencil is made: words are tokens.

    The attributes a walk reads sit in the instance's own dict (found without a call);
    anything else (`anchor`, a method) is the real view's."""

    def __init__(self, real: Any, attributes: dict[str, Any]) -> None:
        self.__dict__.update(attributes)
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


_plans: dict[type, tuple[tuple[str, bool], ...]] = {}


def _plan(kind: type) -> tuple[tuple[str, bool], ...]:
    """The attributes of a view type a walk reads, each with whether it is a word."""
    plan = _plans.get(kind)
    if plan is None:
        words = WORDS.get(kind.__name__, frozenset())
        unread = _READ_THROUGH_WORDS.get(kind.__name__, frozenset())
        names = [field.name for field in fields(kind) if field.name not in unread]
        names += [name for name in _PROPERTIES.get(kind.__name__, ()) if name not in names]
        plan = _plans[kind] = tuple((name, name in words) for name in names)
    return plan


def _shape(view: Any, walk: _Walk) -> tuple[tuple[Any, ...], Any]:
    """The view's shape and, when the walk builds them, the tokenised view."""
    shape: list[Any] = [type(view).__name__]
    tokens: dict[str, Any] = {}
    for name, is_word in _plan(type(view)):
        value = getattr(view, name)
        if is_word and isinstance(value, str):
            shape.append(bool(value))
            tokens[name] = walk.token(value) if value else value
        elif is_word and isinstance(value, list) and all(isinstance(v, str) for v in value):
            shape.append(tuple(bool(v) for v in value))
            tokens[name] = [walk.token(v) if v else v for v in value]
        elif isinstance(value, list) and any(is_dataclass(v) for v in value):
            parts = [_part(item, walk) for item in value]
            shape.append(tuple(part[0] for part in parts))
            tokens[name] = [part[1] for part in parts]
        else:
            shape.append(_frozen(value))
            tokens[name] = value
    return tuple(shape), (_Tokens(view, tokens) if walk.build_tokens else None)


def _part(item: Any, walk: _Walk) -> tuple[tuple[Any, ...], Any]:
    """`_shape` of a story or source, remembered for the walk of the other copy."""
    if walk.seen is None or walk.build_tokens:
        return _shape(item, walk)
    known = walk.seen.get(id(item))
    if known is not None:
        walk.words.extend(known[1])
        return known[0], None
    start = len(walk.words)
    part = _shape(item, walk)
    walk.seen[id(item)] = (part[0], walk.words[start:])
    return part


def _frozen(value: Any) -> Any:
    """`value` as part of a dictionary key: lists and dicts as tuples."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, _frozen(item)) for key, item in value.items())
    return value


@dataclass
class _Slot:
    """A text node or attribute of the stencil holding tokens: what to write there."""

    place: Place  # what kind of place it is (how lxml escapes what is written there)
    pieces: list[str | int]  # literal text, and indices into the edition's words

    @property
    def attribute(self) -> bool:
        """Whether MRML wrote this value in an attribute (see `as_mrml_attribute`)."""
        return self.place is not None

    def value(self, words: list[str], attribute_words: dict[int, str]) -> str:
        """The place's value for these words, as the whole path's parser would read it."""
        chosen = attribute_words if self.attribute else words
        pieces = self.pieces
        if len(pieces) == 1 and isinstance(pieces[0], int):
            return chosen[pieces[0]]
        return "".join(chosen[p] if isinstance(p, int) else p for p in pieces)


@dataclass
class _Stencil:
    """One inlined edition as written, cut around the places that hold words."""

    chunks: list[str]  # the document's text between the places: one more than the slots
    slots: list[_Slot]  # in the order the document writes them
    attribute_words: tuple[int, ...]  # the words that sit in an attribute


_MISSING = object()
#: A shape rendered once (whole): the second render of the shape makes its stencil.
_SEEN = object()
_cache: OrderedDict[tuple[Any, ...], object] = OrderedDict()
_cache_lock = threading.Lock()


def render_html(view: EditionView, templates: Path | None = None) -> str:
    """The finished HTML edition: from the stencil of its shape, else rendered whole."""
    stencilled = render_stencilled(view, templates)
    return stencilled if stencilled is not None else html.render_html(view, templates)


def render_html_and_web(
    view: EditionView, web: EditionView, templates: Path | None = None
) -> tuple[str, str]:
    """The email and its web copy: from their stencils, else rendered whole as a pair."""
    seen: dict[int, tuple[Any, list[str]]] = {}  # the parts of `view` alive while it is
    email = render_stencilled(view, templates, seen)
    web_html = render_stencilled(web, templates, seen)
    if email is not None and web_html is not None:
        return email, web_html
    return html.render_html_and_web(view, web, templates)


def forget() -> None:
    """Drop every stencil (the benchmark measures the first render of a shape with it)."""
    with _cache_lock:
        _cache.clear()


def bundled_template(templates: Path | None) -> Path | None:
    """The bundled HTML template when it is the one a render reads (the only one stencilled)."""
    path = template_path(html.TEMPLATE, effective_templates(templates))
    return path if path == DEFAULT_TEMPLATES / html.TEMPLATE else None


def render_stencilled(
    view: EditionView,
    templates: Path | None = None,
    seen: dict[int, tuple[Any, list[str]]] | None = None,
) -> str | None:
    """`render_html(view)` from the stencil of the view's shape (made on first use), or
    None when the view cannot be stencilled and must be rendered whole. `seen` carries
    the stories walked for one copy to the other's walk."""
    template = bundled_template(templates)
    if template is None:
        return None
    walk = _Walk(words=[], build_tokens=False, seen=seen)
    shape, _ = _shape(view, walk)
    every_word = " ".join(walk.words)
    if _PREFIX in every_word or (not every_word.isprintable() and UNRENDERABLE.search(every_word)):
        return None  # MJML refuses such a word: the whole path says so
    key = (template.stat().st_mtime_ns, shape)  # a template edited in a checkout takes effect
    with _cache_lock:
        entry = _cache.get(key, _MISSING)
        if entry is _MISSING:
            _cache[key] = _SEEN
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
        else:
            _cache.move_to_end(key)
    if entry is _MISSING:
        return None  # a shape seen once is rendered whole: a one-off render makes no stencil
    if entry is _SEEN:
        entry = _make(view)
        with _cache_lock:
            _cache[key] = entry
    if not isinstance(entry, _Stencil):
        return None
    return _fill(entry, walk.words)


def _make(view: EditionView) -> _Stencil | None:
    """Render the view with tokens for words through the whole path and cut it at them."""
    tokenised = _shape(view, _Walk(words=[], build_tokens=True))[1]
    document = html.prepared(html.compile_mjml(html.render_mjml(tokenised)))
    tree, _ = inliner().inlined_tree(document)
    root = tree.getroot()
    if _IN_COMMENTS(root, p=_PREFIX):
        return None  # MRML or the template put a word in a comment: written as it is there
    slots: list[_Slot] = []
    placed = 0
    for found in (*_IN_TEXT(root, p=_PREFIX), *_IN_ATTRIBUTES(root, p=_PREFIX)):
        element = found.getparent()
        pieces = _pieces(str(found))
        placed += sum(isinstance(piece, int) for piece in pieces)
        mark = f"{_MARK}{len(slots)}x"  # one mark per place, so the written document is cut there
        if found.is_attribute:
            slots.append(_Slot(place_of(element.tag, found.attrname), pieces))
            element.set(found.attrname, mark)
        elif found.is_tail:
            slots.append(_Slot(None, pieces))
            element.tail = mark
        elif element.tag in _UNSAFE_PARENTS:
            return None  # a word in a <style>: written as it is there
        else:
            slots.append(_Slot(None, pieces))
            element.text = mark
    if placed != len(_TOKEN.findall(document.decode("utf-8"))):
        return None  # a token sits somewhere this module does not fill (the doctype, a comment)
    written = inliner().serialised(tree, document).decode("utf-8")
    parts = _MARKED.split(html.with_doctype(written))
    order = [int(number) for number in parts[1::2]]
    if sorted(order) != list(range(len(slots))):
        return None
    chunks = parts[0::2]
    for k, number in enumerate(order):  # an attribute's quotes are the written value's
        if slots[number].attribute:
            if not (chunks[k].endswith('="') and chunks[k + 1].startswith('"')):
                return None
            chunks[k], chunks[k + 1] = chunks[k][:-1], chunks[k + 1][1:]
    in_attributes = {p for slot in slots if slot.attribute for p in slot.pieces}
    return _Stencil(
        chunks=chunks,
        slots=[slots[number] for number in order],
        attribute_words=tuple(sorted(p for p in in_attributes if isinstance(p, int))),
    )


def _pieces(value: str) -> list[str | int]:
    """`value` split into literal text and word indices."""
    parts = _TOKEN.split(value)
    pieces: list[str | int] = []
    for i, part in enumerate(parts):
        if i % 2:
            pieces.append(int(part))
        elif part:
            pieces.append(part)
    return pieces


def _fill(stencil: _Stencil, words: list[str]) -> str | None:
    """The stencil with the words written in, as premailer would have written them."""
    try:
        attribute_words = {i: as_mrml_attribute(words[i]) for i in stencil.attribute_words}
    except ValueError:  # MRML refuses a character: render it whole (and fail there)
        return None
    values = [slot.value(words, attribute_words) for slot in stencil.slots]
    written = serialised([slot.place for slot in stencil.slots], values)
    if written is None:
        return None
    chunks = stencil.chunks
    out = [chunks[0]]
    for value, chunk in zip(written, chunks[1:], strict=True):
        out.append(value)
        out.append(chunk)
    return "".join(out)
