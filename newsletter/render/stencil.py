"""The HTML edition laid out once per shape; each render only puts the day's words in.

MJML, premailer and lxml's parse cost most of a render, yet none of them looks at
the words: MRML copies an `mj-text`'s content as written, premailer styles an
element by its tag and classes, and the HTML parser gives back, for an escaped
one-line string in a text node or an attribute, exactly that string. So the
edition is rendered once with every word of the day replaced by a token
(`nl…7x`), inlined, and kept as an lxml tree: the *stencil*. Each later render of
an edition of the same shape — the same number of stories, sources and
paragraphs, the same empty fields, the same settings — sets the real words into
the stencil's text nodes and attributes and serialises it, which gives premailer's
bytes for the whole document without MJML or premailer running.

What makes two briefings the same shape is computed, not listed: every field of
the view that is not one of the day's words (`WORDS`) is part of the key, so a
field added to the view later only makes the cache miss more often, never wrong.
Only the bundled template is stencilled: a customised one may run filters over
the words (`|upper`, `|length`), which a token would not survive. Anything the
stencil cannot place exactly (a token in a comment or a `<style>`, a value lxml
refuses) sends the render down the whole path; `tests/render/test_stencil.py`
compares both paths on the fixtures and on random words.
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
from newsletter.render.context import _UNRENDERABLE
from newsletter.render.environment import DEFAULT_TEMPLATES, effective_templates, template_path
from newsletter.render.inliner import inliner

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
#: Stencils kept per process (one per shape and copy; an entry is one parsed edition).
CACHE_SIZE = 8

_PREFIX = f"nl{secrets.token_hex(6)}t"
_TOKEN = re.compile(_PREFIX + r"(\d+)x")
_UNSAFE_PARENTS = {"style", "script"}


@dataclass
class _Walk:
    """One pass over a view: its shape (the cache key) and the words in token order."""

    words: list[str]
    build_tokens: bool

    def token(self, value: str) -> str:
        self.words.append(value)
        return f"{_PREFIX}{len(self.words) - 1}x" if self.build_tokens else ""


class _Tokens:
    """The view as the template sees it while a stencil is made: words are tokens."""

    def __init__(self, real: Any, tokens: dict[str, Any]) -> None:
        self._real = real
        self._tokens = tokens

    def __getattr__(self, name: str) -> Any:
        if name in self._tokens:
            return self._tokens[name]
        return getattr(self._real, name)


_plans: dict[type, tuple[tuple[str, bool], ...]] = {}


def _plan(kind: type) -> tuple[tuple[str, bool], ...]:
    """The attributes of a view type a walk reads, each with whether it is a word."""
    plan = _plans.get(kind)
    if plan is None:
        words = WORDS.get(kind.__name__, frozenset())
        names = [field.name for field in fields(kind)]
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
            if value:
                tokens[name] = walk.token(value)
        elif is_word and isinstance(value, list) and all(isinstance(v, str) for v in value):
            shape.append(tuple(bool(v) for v in value))
            tokens[name] = [walk.token(v) if v else v for v in value]
        elif isinstance(value, list) and any(is_dataclass(v) for v in value):
            parts = [_shape(item, walk) for item in value]
            shape.append(tuple(part[0] for part in parts))
            tokens[name] = [part[1] for part in parts]
        else:
            shape.append(_frozen(value))
    return tuple(shape), (_Tokens(view, tokens) if walk.build_tokens else None)


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

    element: Any
    place: str  # "text", "tail" or "@" + the attribute's name
    pieces: list[str | int]  # literal text, and indices into the edition's words

    def fill(self, words: list[str], attribute_words: dict[int, str]) -> None:
        if self.place[0] == "@":
            words = attribute_words  # type: ignore[assignment]  # indexed alike
        pieces = self.pieces
        if len(pieces) == 1 and isinstance(pieces[0], int):
            value = words[pieces[0]]
        else:
            value = "".join(words[p] if isinstance(p, int) else p for p in pieces)
        if self.place == "text":
            self.element.text = value
        elif self.place == "tail":
            self.element.tail = value
        else:
            self.element.set(self.place[1:], value)


@dataclass
class _Stencil:
    """One inlined edition with its words' places: each render writes every place."""

    tree: Any
    with_doctype: bool
    slots: list[_Slot]
    attribute_words: tuple[int, ...]  # the words that sit in an attribute
    lock: threading.Lock


_MISSING = object()
_cache: OrderedDict[tuple[Any, ...], _Stencil | None] = OrderedDict()
_cache_lock = threading.Lock()


def render_html(view: EditionView, templates: Path | None = None) -> str:
    """The finished HTML edition: from the stencil of its shape, else rendered whole."""
    stencilled = render_stencilled(view, templates)
    return stencilled if stencilled is not None else html.render_html(view, templates)


def render_html_and_web(
    view: EditionView, web: EditionView, templates: Path | None = None
) -> tuple[str, str]:
    """The email and its web copy: from their stencils, else rendered whole as a pair."""
    email = render_stencilled(view, templates)
    web_html = render_stencilled(web, templates) if email is not None else None
    if email is not None and web_html is not None:
        return email, web_html
    return html.render_html_and_web(view, web, templates)


def bundled_template(templates: Path | None) -> Path | None:
    """The bundled HTML template when it is the one a render reads (the only one stencilled)."""
    path = template_path(html.TEMPLATE, effective_templates(templates))
    return path if path == DEFAULT_TEMPLATES / html.TEMPLATE else None


def render_stencilled(view: EditionView, templates: Path | None = None) -> str | None:
    """`render_html(view)` from the stencil of the view's shape (made on first use), or
    None when the view cannot be stencilled and must be rendered whole."""
    template = bundled_template(templates)
    if template is None:
        return None
    walk = _Walk(words=[], build_tokens=False)
    shape, _ = _shape(view, walk)
    every_word = " ".join(walk.words)
    if _PREFIX in every_word or (not every_word.isprintable() and _UNRENDERABLE.search(every_word)):
        return None  # MJML refuses such a word: the whole path says so
    key = (template.stat().st_mtime_ns, shape)  # a template edited in a checkout takes effect
    with _cache_lock:
        stencil = _cache.get(key, _MISSING)
        if stencil is not _MISSING:
            _cache.move_to_end(key)
    if stencil is _MISSING:
        stencil = _make(view)
        with _cache_lock:
            _cache[key] = stencil
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    if not isinstance(stencil, _Stencil):
        return None
    return _fill(stencil, walk.words)


def _make(view: EditionView) -> _Stencil | None:
    """Render the view with tokens for words through the whole path, kept as a tree."""
    tokenised = _shape(view, _Walk(words=[], build_tokens=True))[1]
    document = html.prepared(html.compile_mjml(html.render_mjml(tokenised)))
    tree, _ = inliner().inlined_tree(document)
    slots: list[_Slot] = []
    placed = 0
    for element in tree.getroot().iter():
        if not isinstance(element.tag, str):  # a comment or processing instruction
            if _TOKEN.search(element.text or "") or _TOKEN.search(element.tail or ""):
                return None
            continue
        if element.tag in _UNSAFE_PARENTS and _TOKEN.search(element.text or ""):
            return None
        places = [("text", element.text), ("tail", element.tail)]
        places += [("@" + name, value) for name, value in element.attrib.items()]
        for place, value in places:
            pieces = _pieces(value or "")
            if pieces is not None:
                slots.append(_Slot(element, place, pieces))
                placed += sum(isinstance(piece, int) for piece in pieces)
    if placed != len(_TOKEN.findall(document.decode("utf-8"))):
        return None  # a token sits somewhere this module does not fill (the doctype, a comment)
    in_attributes = {p for slot in slots if slot.place[0] == "@" for p in slot.pieces}
    return _Stencil(
        tree=tree,
        with_doctype=document.startswith(tree.docinfo.doctype.encode("utf-8")),
        slots=slots,
        attribute_words=tuple(sorted(p for p in in_attributes if isinstance(p, int))),
        lock=threading.Lock(),
    )


def _pieces(value: str) -> list[str | int] | None:
    """`value` split into literal text and word indices, or None when it holds no token."""
    parts = _TOKEN.split(value)
    if len(parts) == 1:
        return None
    pieces: list[str | int] = []
    for i, part in enumerate(parts):
        if i % 2:
            pieces.append(int(part))
        elif part:
            pieces.append(part)
    return pieces


def _fill(stencil: _Stencil, words: list[str]) -> str | None:
    """The stencil with the words set in, serialised as premailer writes it.

    Every place is written on every fill, so the words of the last fill need no undoing."""
    with stencil.lock:
        try:
            attribute_words = {i: as_attribute(words[i]) for i in stencil.attribute_words}
            for slot in stencil.slots:
                slot.fill(words, attribute_words)
        except ValueError:  # lxml or MRML refuses a value: render it whole (and fail there)
            return None
        root = stencil.tree if stencil.with_doctype else stencil.tree.getroot()
        out: bytes = etree.tostring(root, method="html", pretty_print=True, encoding="utf-8")
    return html.with_doctype(out.decode("utf-8"))


#: What MRML writes for a character inside an HTML attribute: it prints attribute values
#: with Rust's `Debug` escaping (`\\` for a backslash, `\\u{200d}` for a joiner, a combining
#: mark or any other character Rust does not call printable), one character at a time.
#: Printable ASCII other than the backslash is written as it is; other characters are
#: asked of MRML itself the first time they appear (`_learn`).
_attribute_chars: dict[int, str] = {ord("\\"): "\\\\"}
_attribute_lock = threading.Lock()
_MRML_TITLE = re.compile(r'<a title="([^"]*)">')


def as_attribute(word: str) -> str:
    """`word` as the whole path's parser reads it back from an attribute MRML wrote."""
    if word.isascii() and "\\" not in word:
        return word
    missing = {c for c in word if ord(c) not in _attribute_chars and not c.isascii()}
    if missing:
        _learn(sorted(missing))
    return word.translate(_attribute_chars)


def _learn(chars: list[str]) -> None:
    """Ask MRML how it writes each of `chars` in an attribute (one compile for all)."""
    from mjml import mjml2html

    links = "".join(f'<a title="{c}">x</a>' for c in chars)
    source = (
        "<mjml><mj-body><mj-section><mj-column><mj-text>"
        f"{links}</mj-text></mj-column></mj-section></mj-body></mjml>"
    )
    written = _MRML_TITLE.findall(mjml2html(source, disable_comments=True, fonts={}))
    if len(written) != len(chars):
        raise ValueError("MRML wrote an attribute this module cannot read back")
    with _attribute_lock:
        _attribute_chars.update(zip(map(ord, chars), written, strict=True))
