r"""How the whole HTML path writes a word: what MRML makes of it, and how lxml serialises it.

The stencil (`newsletter.render.stencil`) writes the day's words into a document laid
out earlier, so it must write each word exactly as Jinja → MRML → lxml would have.
Two facts decide that, and both are asked of the libraries themselves rather than
imitated:

* MRML prints an HTML attribute's value with Rust's `Debug` escaping (`\\` for a
  backslash, `\u{200d}` for a joiner, a combining mark or anything else Rust does not
  call printable), one character at a time; text it copies as written. What it makes
  of each character outside printable ASCII is asked of MRML once per process.
* lxml escapes a text node or an attribute value when it serialises (`&amp;`, `%XX`
  in an `href`, …). Every value of one render is serialised in one small document
  that holds each value in the same kind of place (a text node, or the same attribute
  on an `a` or a `span`), and read back from there.
"""

from __future__ import annotations

import re
import threading
from html import escape

from lxml import etree

#: What MRML writes for a character in an attribute, beyond printable ASCII (learnt).
_attribute_chars: dict[int, str] = {ord("\\"): "\\\\"}
_attribute_lock = threading.Lock()
_MRML_TITLE = re.compile(r'<a title="([^"]*)">')
_PARSER = etree.HTMLParser(encoding="utf-8")
#: A value as the small document writes it back: `<p>text</p>`, or one attribute on an
#: empty `a` or `span` (lxml quotes with `"` unless the value holds one).
_WRITTEN = re.compile(r"<p>([^<]*)</p>|<(?:a|span) [^\s=>]+=(\"[^\"]*\"|'[^']*')></(?:a|span)>")

#: What lxml escapes in a text node (anything else, Hangul and emoji too, it writes as is).
_TEXT_ESCAPED = re.compile("[&<>\r]")
#: An attribute value lxml writes as it is in any attribute, a URL's included: letters,
#: digits and the URL punctuation libxml2 leaves alone (no quote, space, `&`, `<`, `>`).
_PLAIN_ATTRIBUTE = re.compile(r"[A-Za-z0-9\-_.!~*()/:=?;#%,+@]*")

#: Where a value sits: None for a text node, else (element tag, attribute name).
Place = tuple[str, str] | None


def as_mrml_attribute(word: str) -> str:
    """`word` as the parser reads it back from an attribute MRML wrote."""
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


def place_of(tag: str, attribute: str) -> Place:
    """The kind of place an attribute's value has: lxml escapes a URL attribute (`href`,
    `src`, and `name` on an `a`) unlike others; the element's tag matters only for `a`.
    (A text node's place is None: lxml escapes text alike wherever it is.)"""
    return ("a" if tag == "a" else "span", attribute)


def serialised(places: list[Place], values: list[str]) -> list[str] | None:
    """Each value as lxml serialises it in its kind of place — an attribute's with the
    quotes lxml chose for it — or None when the small document does not read back one
    answer per value (then render the whole path).

    A value lxml writes as it is (text without `&`, `<`, `>`; an attribute of plain URL
    characters) skips the small document: in a day's edition that is most of them."""
    out: list[str] = []
    asked: list[int] = []
    for i, (place, value) in enumerate(zip(places, values, strict=True)):
        if place is None and not _TEXT_ESCAPED.search(value):
            out.append(value)
        elif place is not None and _PLAIN_ATTRIBUTE.fullmatch(value):
            out.append(f'"{value}"')
        else:
            out.append("")
            asked.append(i)
    if asked:
        answers = _ask_lxml([places[i] for i in asked], [values[i] for i in asked])
        if answers is None:
            return None
        for i, answer in zip(asked, answers, strict=True):
            out[i] = answer
    return out


def _ask_lxml(places: list[Place], values: list[str]) -> list[str] | None:
    parts = ["<html><body>"]
    for place, value in zip(places, values, strict=True):
        if place is None:
            parts.append(f"<p>{escape(value, quote=False)}</p>")
        else:
            tag, attribute = place
            parts.append(f'<{tag} {attribute}="{escape(value)}"></{tag}>')
    parts.append("</body></html>")
    root = etree.fromstring("".join(parts).encode("utf-8"), _PARSER)
    out = etree.tostring(root, method="html", encoding="utf-8").decode("utf-8")
    found = _WRITTEN.findall(out)
    if len(found) != len(values):
        return None
    return [text or quoted for text, quoted in found]
