"""Feed bytes → raw entries, with feedparser doing the format work.

We decode the bytes ourselves before feedparser sees them because feeds lie
about their encoding: a UTF-8 body declared ISO-8859-1 (by the server or the
XML declaration) would otherwise come out as mojibake, and feedparser trusts a
declaration that decodes without error. Valid UTF-8 is taken as UTF-8 (it is
almost never an accident); otherwise a BOM, then the declarations, then a
detector decide. feedparser then gets clean UTF-8 and is told so.

`RawEntry` is deliberately small and JSON-able: the feed cache keeps it (see
`stored`), so a 304 costs a decompress and not a re-parse. Sanitising and
resolving links inside content happens later in `clean`, so feedparser's own
(slower) sanitiser and resolver are switched off. feedparser is told the feed's
URL only when the document sets a base of its own (`xml:base`): with a base URI
it runs `urljoin` on every start tag, a quarter of its time, and without any
`xml:base` the links it returns are simply relative to the feed URL, which
`_entry` and `clean` resolve themselves.
"""

from __future__ import annotations

import calendar
import codecs
import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import feedparser

from newsletter.collect.dates import parse_localised

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.IGNORECASE)
_DECL_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE)
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_FEED_LINK = re.compile(
    r"""<link\b[^>]*type\s*=\s*["']application/(?:rss|atom)\+xml["'][^>]*>""", re.IGNORECASE
)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# An attribute feedparser takes as a base (`xml:base`, `base`); may also match inside
# content, which only costs the slower, always-right path.
_BASE_ATTRIBUTE = re.compile(rb"[\s:]base\s*=", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Supersets that real publishers use while declaring the subset.
_SUPERSETS = {"euc_kr": "cp949", "gb2312": "gb18030", "gbk": "gb18030", "iso8859-1": "cp1252"}
# What the detector may answer: the encodings feeds actually use. An unrestricted
# detector picks exotic code pages for short samples.
_DETECTABLE = [
    "cp949", "euc_kr", "shift_jis", "euc_jp", "cp932", "gb18030", "big5", "cp1252",
    "iso8859_15", "cp1251", "koi8_r", "cp1250", "iso8859_2", "cp1253", "cp1254", "cp1256",
]  # fmt: skip
_LATIN_NEIGHBOURS = {"cp1250", "iso8859_2", "iso8859_15", "cp1254", "latin_1", "iso8859_1"}
_ANYTHING_DECODES = {"latin-1", "iso8859-1", "cp1252", "ascii"}
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class ParseError(Exception):
    """The bytes are not a usable feed; the message is the report's one-line reason."""


@dataclass(slots=True)
class RawEntry:
    """One entry as the feed gave it (HTML unsanitised), plus where its relative links point."""

    guid: str
    link: str
    title: str
    title_html: bool
    content: str
    base: str
    author: str
    published: float | None  # POSIX seconds, UTC; None when the feed gives no usable date

    def to_list(self) -> list[Any]:
        return [
            self.guid,
            self.link,
            self.title,
            self.title_html,
            self.content,
            self.base,
            self.author,
            self.published,
        ]


@dataclass
class ParsedFeed:
    title: str
    entries: list[RawEntry]
    warning: str = ""  # set for a malformed ("bozo") feed whose entries could still be read
    encoding: str = "utf-8"


def decode(body: bytes, http_charset: str = "") -> tuple[str, str]:
    """The body as text and the encoding used: BOM, valid UTF-8, declarations, detection."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = [http_charset]
    match = _XML_DECL.match(body)
    if match:
        found = _DECL_ENCODING.search(match.group(0))
        if found:
            declared.append(found.group(1).decode("ascii"))
    lenient = ""
    for name in filter(None, declared):
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        if codec == "utf-8":
            continue  # already known not to be UTF-8: the declaration is wrong
        codec = _SUPERSETS.get(codec, codec)
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec not in _ANYTHING_DECODES:
            return text, codec
        lenient = lenient or codec
    guessed = _detect(body)
    if guessed:
        try:
            return body.decode(guessed), guessed
        except (UnicodeDecodeError, LookupError):
            pass
    codec = lenient or "windows-1252"
    return body.decode(codec, errors="replace"), codec


def _detect(body: bytes) -> str:
    """A detector's guess for a body that is neither UTF-8 nor a strict declared encoding."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency, but detection is only a fallback
        return ""
    best = from_bytes(body[:200_000], cp_isolation=_DETECTABLE).best()
    if best is None:
        return ""
    if best.encoding in _LATIN_NEIGHBOURS:
        try:
            body.decode("cp1252")
            return "cp1252"  # among look-alike Latin code pages, the web's usual one
        except UnicodeDecodeError:
            pass
    return best.encoding


def parse_feed(body: bytes, base_url: str, http_charset: str = "") -> ParsedFeed:
    """Parse one fetched body; raise ParseError with a reason when nothing usable is in it."""
    if not body.strip():
        raise ParseError("empty response")
    text, encoding = decode(body, http_charset)
    if _HTML_START.match(text[:4096]):
        raise ParseError(_html_reason(text, base_url))
    # Valid UTF-8 without a BOM is already what feedparser gets: no second encoding pass.
    plain = encoding == "utf-8" and not body.startswith(codecs.BOM_UTF8)
    utf8 = body if plain else text.encode("utf-8")
    del text
    declaration = _XML_DECL.match(utf8)
    if declaration:
        utf8 = b'<?xml version="1.0" encoding="utf-8"?>' + utf8[declaration.end() :]
    headers = {"content-type": "application/xml; charset=utf-8"}
    if _BASE_ATTRIBUTE.search(utf8):
        headers["content-location"] = base_url  # feedparser chains the document's bases
    # A stream, never bytes: feedparser tries bytes as a *file name* first, so a body
    # reading "/etc/passwd" or "/dev/zero" would make it read that local file.
    parsed = feedparser.parse(
        io.BytesIO(utf8), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    entries = [_entry(raw, _web_base(base_url, parsed.feed)) for raw in parsed.entries]
    title = str(parsed.feed.get("title", "") or "")
    if parsed.get("bozo"):
        problem = _describe(parsed.get("bozo_exception"))
        if not entries:
            if not parsed.get("version") and not parsed.feed:
                raise ParseError(f"not an RSS/Atom feed ({problem})")
            raise ParseError(f"malformed feed with no readable entries ({problem})")
        return ParsedFeed(
            title, entries, f"malformed feed ({problem}); entries recovered", encoding
        )
    if not parsed.get("version") and not entries:
        raise ParseError("not an RSS/Atom feed")
    return ParsedFeed(title, entries, "", encoding)


def _entry(raw: Any, base_url: str) -> RawEntry:
    # Plain dict lookups throughout: FeedParserDict's key aliasing costs a few
    # microseconds per access (and warns for some keys), times every field of every entry.
    get = dict.get
    content, base = _content(raw, base_url)
    title_detail = get(raw, "title_detail") or {}
    moment = (
        get(raw, "published_parsed") or get(raw, "updated_parsed") or get(raw, "created_parsed")
    )
    published: float | None = None
    if moment:
        try:
            published = float(calendar.timegm(moment))
        except (TypeError, ValueError, OverflowError):
            published = None
    if published is None:  # "Sex, 06 Fev 2026", "2026년 2월 6일 오후 2:03": feedparser gives up
        for key in ("published", "updated", "created"):
            written = get(raw, key)
            if written and isinstance(written, str):
                published = parse_localised(written)
                if published is not None:
                    break
    # Without a base URI feedparser leaves these relative to the feed URL.
    link = _absolute_base(base_url, str(get(raw, "link", "") or ""))
    guid = str(get(raw, "id", "") or "")
    if get(raw, "guidislink"):  # an RSS permalink GUID is a URL (and the link without one)
        guid = _absolute_base(base_url, guid)
    return RawEntry(
        guid=guid,
        link=link,
        title=str(get(raw, "title", "") or ""),
        title_html=get(title_detail, "type", "text/html") in _HTML_TYPES,
        content=content,
        base=base,
        author=str(get(raw, "author", "") or ""),
        published=published,
    )


def _content(raw: Any, base_url: str) -> tuple[str, str]:
    """The fullest body: content:encoded / Atom content, then description/summary.

    Its base is the feed URL, or a document's `xml:base` (made absolute against the feed URL:
    feedparser, not knowing the feed URL, leaves a relative one as written)."""
    get = dict.get
    candidates = list(get(raw, "content") or [])
    candidates.sort(key=lambda part: get(part, "type", "") not in _HTML_TYPES)
    summary = get(raw, "summary_detail")
    if summary:
        candidates.append(summary)
    for part in candidates:
        value = str(get(part, "value", "") or "")
        if value.strip():
            if get(part, "type", "text/html") not in _HTML_TYPES:
                from html import escape

                value = escape(value)
            base = str(get(part, "base") or "")
            return value, _absolute_base(base_url, base) if base else base_url
    return "", base_url


def _web_base(base_url: str, channel: Any) -> str:
    """What relative links resolve against: the feed's URL, or for a feed read from a
    file on this machine, its channel's `<link>` (the site the feed is of) — a path
    would make every relative link a file name, and the entry without a link is lost."""
    if base_url.startswith(("http://", "https://")):
        return base_url
    site = str(channel.get("link", "") or "")
    return site if site.startswith(("http://", "https://")) else base_url


def _absolute_base(base_url: str, reference: str) -> str:
    """`reference` made absolute against the feed URL (unchanged when that fails)."""
    if not reference or reference.startswith(("http://", "https://")):
        return reference

    try:
        return urljoin(base_url, reference)
    except ValueError:
        return reference


def _describe(exc: Any) -> str:
    """feedparser's bozo exception as a short phrase with the line number."""
    if exc is None:
        return "unknown problem"
    line = getattr(exc, "getLineNumber", None)
    message = getattr(exc, "getMessage", None)
    if callable(line) and callable(message):
        return f"line {line()}: {message()}"
    return " ".join(str(exc).split())[:160] or type(exc).__name__


def _html_reason(text: str, base_url: str) -> str:
    for tag in _FEED_LINK.findall(text[:100_000]):
        href = _HREF.search(tag)
        if href:
            from urllib.parse import urljoin

            return f"an HTML page, not a feed (it links a feed: {urljoin(base_url, href.group(1))})"
    return "an HTML page, not a feed"
