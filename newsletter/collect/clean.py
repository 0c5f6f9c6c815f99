"""Feed text → safe, plain, normalised values.

Everything a feed says is untrusted: its HTML ends up in an email, its titles in
a `Subject:` header, its links in front of readers. So HTML goes through nh3 with
a small allow-list (no script/style/iframe, no event handlers, http(s)/mailto
links only), relative links are resolved against the entry's base *before* the
scheme check, titles become one line of plain text without control characters,
and tracking parameters are stripped so the same article has the same URL
whichever newsletter linked to it.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from urllib.parse import parse_qsl, unquote_plus, urlencode, urljoin, urlsplit, urlunsplit

import nh3

# Bump when the output of this module (or of `entries`' use of it) changes: the feed
# cache keeps cleaned entries under this version, and rows of another version are
# re-fetched and cleaned again, so a sanitiser fix reaches cached feeds too.
CLEANING = 2  # 2: feed furniture removed from summaries (text.boilerplate)

SUMMARY_LIMIT = 5000
TITLE_LIMIT = 300

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "article", "b", "blockquote", "br", "cite", "code", "dd", "del", "div",
        "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
        "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "section", "small", "span",
        "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
# Elements that end a paragraph when HTML becomes text.
BLOCK_TAGS = frozenset(
    {
        "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section",
        "table", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with their content, not just unwrapped: their text is never prose.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript"})

# Query parameters that identify a campaign or a click, never the document.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "vero_id", "vero_conv", "oly_anon_id",
        "oly_enc_id", "rb_clickid", "s_cid", "ref_src", "ref_url", "spm", "__s", "_ga", "_gl",
        "cmpid", "ncid", "sr_share", "wt_mc", "wt.mc_id", "ito", "icid",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\ufffe]"
)
# Tags in nh3's output: attribute values are always double-quoted and may contain ">".
_BLOCK_NAMES = "|".join(sorted(BLOCK_TAGS, key=len, reverse=True))
_SAFE_BLOCK = re.compile(rf'</?(?:{_BLOCK_NAMES})\b(?:[^>"]|"[^"]*")*>')
_SAFE_TAG = re.compile(r'</?[a-zA-Z][a-zA-Z0-9]*\b(?:[^>"]|"[^"]*")*>')
_TRACKING_HINT = re.compile(
    r"[?&](?:utm_|pk_|mtm_|hsa_|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|twclid|igshid|mc_|"
    r"_hs|mkt_tok|vero_|oly_|rb_clickid|s_cid|ref_|spm|__s|_ga|_gl|cmpid|ncid|sr_share|wt|ito|icid)",
    re.IGNORECASE,
)
_SANITIZE_TAGS = set(ALLOWED_TAGS)
_TEXT_TAGS = set(BLOCK_TAGS)
_DROPPED = set(DROPPED_WITH_CONTENT)
_SCHEMES = set(URL_SCHEMES)
_TAG_HINT = re.compile(r"<[a-zA-Z/!]|&[#a-zA-Z0-9]+;")
_PARAGRAPH_BREAK = re.compile(r"[\n\u2029][^\S\n\u2029]*[\n\u2029]\s*")
# A root-relative reference that `urljoin` would return as origin + reference unchanged:
# not "//" (a host), no dot segment in the path (checked apart), no ";" in it (urljoin
# drops empty parameters), no tab/CR/LF (urlsplit drops those), and a query or fragment
# only when non-empty (urljoin drops an empty "?" or "#").
_PLAIN_ROOT_RELATIVE = re.compile(r"/(?!/)[^?#;\t\r\n]*(?:\?[^#\t\r\n]+)?(?:#[^\t\r\n]+)?")


def sanitize_html(fragment: str, base: str = "") -> str:
    """Feed HTML reduced to the allow-list, links absolute, for use inside an email."""
    if not fragment.strip():
        return ""
    resolvable = base if base.startswith(("http://", "https://")) else ""
    origin = _origin(resolvable)

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "src"):
            return value
        link = resolve_link(value.strip(), resolvable, origin)
        if link and attribute == "href" and _TRACKING_HINT.search(link):
            return strip_tracking(link)
        return link

    return nh3.clean(
        fragment,
        tags=_SANITIZE_TAGS,
        clean_content_tags=_DROPPED,
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=absolute,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def resolve_link(value: str, base: str, origin: str = "") -> str | None:
    """A link from feed HTML made absolute against `base`; None unless http(s) or mailto.

    `origin` (`_origin(base)`, computed once per fragment) enables the fast path for
    "/path?query", the usual relative link, which then needs no URL parsing at all."""
    if value.startswith(("https://", "http://")):
        return value  # the common case needs no parsing
    if origin and _PLAIN_ROOT_RELATIVE.fullmatch(value) and "/." not in value:
        return origin + value  # exactly what urljoin gives, without its cost
    try:
        value = urljoin(base, value) if base else value
        if urlsplit(value).scheme.lower() not in URL_SCHEMES:
            return None
    except ValueError:
        return None
    return value


def _origin(base: str) -> str:
    """The `scheme://netloc` of an http(s) base, as `urljoin` would reuse them; "" if none."""
    if not base:
        return ""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def html_to_text(fragment: str, limit: int = SUMMARY_LIMIT) -> str:
    """Plain text for writing: paragraphs kept (blank line between), all other whitespace single.

    Block tags become line breaks before the tags are stripped, so `<p>a</p><p>b</p>`
    reads "a\\n\\nb" and not "ab".
    """
    if not fragment.strip():
        return ""
    if not _TAG_HINT.search(fragment):
        return _normalise(fragment, limit)
    blocks_only = nh3.clean(
        fragment, tags=_TEXT_TAGS, clean_content_tags=_DROPPED, attributes={}, link_rel=None
    )
    return text_from_safe_html(blocks_only, limit)


def text_from_safe_html(safe: str, limit: int = SUMMARY_LIMIT) -> str:
    """Plain text of HTML that already went through nh3 (no comments, scripts or odd quoting),
    so tags can be removed by pattern; saves a second sanitiser pass per entry."""
    if not safe:
        return ""
    # In HTML a newline is just a space; only block elements break paragraphs.
    text = _SAFE_BLOCK.sub("\n\n", " ".join(safe.split()))
    return _normalise(html.unescape(_SAFE_TAG.sub("", text)), limit)


def _normalise(text: str, limit: int) -> str:
    """Paragraphs (split at blank lines) with all other whitespace runs made one space.

    `str.split()` does the work in C and knows every Unicode space (NBSP, U+2028 …)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    paragraphs = (" ".join(part.split()) for part in _PARAGRAPH_BREAK.split(text))
    return truncate("\n\n".join(p for p in paragraphs if p), limit)


def plain_line(value: str, is_html: bool = True, limit: int = TITLE_LIMIT) -> str:
    """One line of plain text (titles, authors): nothing here can break a header."""
    text = html_to_text(value, limit=10 * limit) if is_html else value
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    text = " ".join(text.split())
    return truncate(text, limit)


def truncate(text: str, limit: int) -> str:
    """Cut at a word boundary near `limit` and mark the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def strip_tracking(url: str) -> str:
    """The URL without campaign/click parameters; everything else kept in its order."""
    head, mark, rest = url.partition("?")
    if not mark:
        return url
    query, hash_mark, fragment = rest.partition("#")
    pairs = query.split("&")
    # Raw pairs are kept as they were written: re-encoding could change the document asked for.
    kept = [pair for pair in pairs if pair and not _is_tracking(unquote_plus(pair.split("=")[0]))]
    if len(kept) == len(pairs):
        return url
    return head + ("?" + "&".join(kept) if kept else "") + hash_mark + fragment


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def clean_url(url: str, base: str = "") -> str:
    """An absolute http(s) URL for a reader, or "" when the entry has none we can link to."""
    url = _CONTROL.sub("", url.strip()).replace(" ", "%20")
    if not url:
        return ""
    try:
        # An absolute link needs no joining (unless it has ";": urljoin drops empty params).
        if base and (";" in url or not url.startswith(("https://", "http://"))):
            url = urljoin(base, url)
        parts = urlsplit(url)
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:  # "http://[::1", "http://x:99999/": not a link we can give a reader
        return ""
    if scheme not in ("http", "https") or not host:
        return ""
    if parts.username or parts.password:
        return ""  # credentials in a link are a phishing trick, never an article
    netloc = f"[{host}]" if ":" in host else host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    return strip_tracking(urlunsplit((scheme, netloc, path, parts.query, parts.fragment)))


def url_key(url: str) -> str:
    """What makes two links the same article: no scheme, no `www.`, no fragment, sorted query."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}?{query}" if query else f"{host}{path}"


def item_id(url: str, guid: str, feed_url: str) -> str:
    """Stable id: the normalised URL's hash, or the GUID's (scoped to its feed) without a URL.

    GUIDs are only trusted within one feed: small feeds use "1", "2", … as GUIDs.
    """
    key = "url:" + url_key(url) if url else f"guid:{feed_url}\n{guid}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
