"""premailer with its repeated work remembered: same stylesheet, same style strings, same answer.

An edition inlines one short stylesheet (MRML's resets) into a few hundred elements
whose `style` attributes repeat the template's handful of declarations. premailer
recomputes everything on every call: it re-serialises every rule of the sheet
through cssutils, re-parses each inline style, and merges the declarations of each
element one by one — and its own cache (an LFU of 128 entries shared by all its
helpers, behind a lock) thrashes at 30 stories. Each of those steps is a pure
function of its input strings, so they are memoised here by those strings: the
output is byte for byte what premailer gives (tests/render/test_inliner.py checks
it against a plain Premailer), at about a third of the time.

The memo tables are bounded (`MEMO_SIZE` entries each): a long-running process
rendering many customised templates keeps a fixed amount of memory.
"""

from __future__ import annotations

import logging
import threading
from functools import cache, lru_cache
from typing import Any

import cssutils
import premailer.premailer as premailer_module
from lxml import etree
from premailer import Premailer
from premailer.merge_style import csstext_to_pairs, merge_styles

MEMO_SIZE = 4096

#: The stylesheets the current thread's `inlined_tree` call has inlined so far.
_seen = threading.local()


@lru_cache(maxsize=MEMO_SIZE)
def _pairs(csstext: str, validate: bool = True) -> tuple[tuple[str, str], ...]:
    """premailer's `csstext_to_pairs`, as a tuple so that merges can be keyed by it."""
    return tuple(csstext_to_pairs.__wrapped__(csstext, validate=validate))


@lru_cache(maxsize=MEMO_SIZE)
def _merged(
    inline_style: str,
    new_styles: tuple[tuple[tuple[str, str], ...], ...],
    classes: tuple[str, ...],
    remove_unset_properties: bool,
) -> str:
    return str(
        merge_styles(
            inline_style,
            list(new_styles),
            list(classes),
            remove_unset_properties=remove_unset_properties,
        )
    )


def _merge_styles(
    inline_style: str,
    new_styles: list[tuple[tuple[str, str], ...]],
    classes: list[str],
    remove_unset_properties: bool = False,
) -> str:
    """premailer's `merge_styles`, remembered by its inputs (the pairs come from `_pairs`)."""
    return _merged(inline_style, tuple(new_styles), tuple(classes), remove_unset_properties)


class _Attributes:
    """A stand-in element: premailer writes the HTML attributes a style implies into it."""

    def __init__(self) -> None:
        self.attrib: dict[str, str] = {}


class MemoPremailer(Premailer):  # premailer ships no type hints: Premailer is Any
    """A Premailer whose stylesheet parse and style-to-attribute mapping are remembered."""

    def inline(self, html: str) -> str:
        """`transform(html, pretty_print=True)`, with the document parsed from UTF-8 bytes
        (libxml2 reads them ~1.6x faster than a str) and serialised as premailer does."""
        return self.inline_utf8(html.strip().encode("utf-8"))

    def inline_utf8(self, document: bytes) -> str:
        """`inline` of a document already stripped and encoded as UTF-8."""
        tree, _ = self.inlined_tree(document)
        return self.serialised(tree, document).decode("utf-8")

    def inlined_tree(self, document: bytes) -> tuple[Any, tuple[tuple[str, int], ...]]:
        """The parsed, inlined document (an lxml tree) and the stylesheets premailer inlined
        from it, as (css text, index) in order: two documents with the same stylesheets get
        the same style for the same element wherever the rules look only at the element."""
        parser = etree.HTMLParser(encoding="utf-8")
        tree = etree.fromstring(document, parser).getroottree()
        _seen.sheets = []
        try:
            self.transform(tree.getroot(), pretty_print=True)
            sheets = tuple(_seen.sheets)
        finally:
            _seen.sheets = None
        return tree, sheets

    def serialised(self, tree: Any, document: bytes) -> bytes:
        """The inlined tree as premailer writes it: with lxml's doctype only when the
        document began with it, spelled alike."""
        doctype = tree.docinfo.doctype
        root = tree if document.startswith(doctype.encode("utf-8")) else tree.getroot()
        out: bytes = etree.tostring(root, method="html", pretty_print=True, encoding="utf-8")
        return out

    def _parse_style_rules(self, css_body: str, ruleset_index: int) -> tuple[list[Any], list[Any]]:
        sheets = getattr(_seen, "sheets", None)
        if sheets is not None:
            sheets.append((css_body, ruleset_index))
        rules, leftover = self._memo_rules(css_body, ruleset_index)
        return list(rules), list(leftover)

    @lru_cache(maxsize=64)  # noqa: B019 - one instance lives for the process (see `inliner`)
    def _memo_rules(self, css_body: str, ruleset_index: int) -> tuple[list[Any], list[Any]]:
        return super()._parse_style_rules(css_body, ruleset_index)

    def _style_to_basic_html_attributes(
        self, element: Any, style_content: str, force: bool = False
    ) -> None:
        if not force:  # only the forced form (what transform uses) is remembered
            super()._style_to_basic_html_attributes(element, style_content, force=False)
            return
        for key, value in self._implied_attributes(style_content):
            element.attrib[key] = value

    @lru_cache(maxsize=MEMO_SIZE)  # noqa: B019 - one instance lives for the process
    def _implied_attributes(self, style_content: str) -> tuple[tuple[str, str], ...]:
        stand_in = _Attributes()
        super()._style_to_basic_html_attributes(stand_in, style_content, force=True)
        return tuple(stand_in.attrib.items())

    def selectors(self, sheets: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
        """The selectors premailer matches for these stylesheets, pseudo-classes included."""
        return tuple(
            selector for css, index in sheets for _, selector, _ in self._memo_rules(css, index)[0]
        )


@cache
def inliner() -> MemoPremailer:
    """The process's one inliner; premailer's module-level helpers are swapped for the
    remembered ones here, once (they are pure functions, so any other caller gets the
    same answers)."""
    cssutils.log.setLevel(logging.CRITICAL)
    premailer_module.csstext_to_pairs = _pairs
    premailer_module.merge_styles = _merge_styles
    return MemoPremailer(
        allow_network=False,  # the edition never fetches anything while rendering
        cssutils_logging_level=logging.CRITICAL,  # -webkit-*/mso-* are fine in email
        remove_classes=False,  # the head's @media / dark-mode rules still target classes
        strip_important=False,  # those rules need !important to beat inline styles
        disable_validation=True,
        disable_link_rewrites=True,  # hrefs (and %%UNSUBSCRIBE_URL%%) stay as written
    )
