"""Quality gates every rendered edition must pass before anyone can send it.

Each rule protects a reader or the sender's reputation: Gmail clips HTML over
102 KB (hiding the unsubscribe link), scripts and event handlers get mail
flagged or stripped, relative links are dead in an inbox, an edition without
the unsubscribe placeholder would break the law in most places. The HTML is
parsed with the standard library so the gates cost ~1 ms and import nothing heavy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from newsletter.model import UNSUBSCRIBE_PLACEHOLDER, Briefing, Edition

GMAIL_CLIP_BYTES = 102 * 1024
WARN_BYTES = 90 * 1024

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class CheckResult:
    rule: str
    ok: bool
    level: str  # "error" | "warning": only errors stop a render
    message: str


class CheckFailed(Exception):
    """An edition failed one or more gates; `str()` is one line per failed rule."""

    def __init__(self, failures: list[CheckResult]) -> None:
        self.failures = failures
        super().__init__("\n".join(f"{f.rule}: {f.message}" for f in failures))


_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "poster", "cite"}
_DANGEROUS = re.compile(r"^(javascript|data|vbscript|file):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


class _Scan(HTMLParser):
    """One pass over the HTML collecting what the rules look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.lang = ""
        self.charset = ""
        self.handlers: list[str] = []
        self.urls: list[tuple[str, str]] = []  # (tag.attr, value)
        self.images_without_alt = 0
        self.unsubscribe_links = 0
        self.text: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = {name: value or "" for name, value in attrs}
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]
        if tag == "html":
            self.lang = values.get("lang", "")
        if tag == "meta":
            if "charset" in values:
                self.charset = values["charset"]
            elif values.get("http-equiv", "").lower() == "content-type":
                found = re.search(r"charset=([\w-]+)", values.get("content", ""), re.IGNORECASE)
                self.charset = found.group(1) if found else ""
        if tag == "img" and "alt" not in values:
            self.images_without_alt += 1
        for name, value in values.items():
            if name in _URL_ATTRIBUTES or (tag == "link" and name == "href"):
                self.urls.append((f"{tag}.{name}", value))
        if tag == "a" and values.get("href") == UNSUBSCRIBE_PLACEHOLDER:
            self.unsubscribe_links += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check_edition(edition: Edition, briefing: Briefing) -> list[CheckResult]:
    """Every gate's result (passing ones too: the preview page lists them all)."""
    scan = _Scan()
    scan.feed(edition.html)
    scan.close()
    html_text = _squash(" ".join(scan.text))
    plain = _squash(edition.text)
    post = _squash(edition.markdown)
    results: list[CheckResult] = []

    def rule(name: str, ok: bool, message: str, level: str = ERROR) -> None:
        results.append(CheckResult(name, ok, level, "ok" if ok else message))

    size = len(edition.html.encode("utf-8"))
    kb = f"{size / 1024:.1f} KB"
    rule("html-size", size <= GMAIL_CLIP_BYTES, f"HTML is {kb}; Gmail clips above 102 KB")
    rule(
        "html-size-warning",
        size <= WARN_BYTES,
        f"HTML is {kb}, close to Gmail's 102 KB clipping limit",
        WARNING,
    )
    scripts = scan.tags.count("script")
    rule("no-script", scripts == 0, f"{scripts} <script> element(s)")
    rule(
        "no-event-handlers",
        not scan.handlers,
        f"event-handler attribute(s): {', '.join(scan.handlers[:3])}",
    )
    dangerous = [
        value for _, value in scan.urls if _DANGEROUS.match(_INVISIBLE.sub("", unescape(value)))
    ]
    rule(
        "no-dangerous-links",
        not dangerous,
        f"javascript:/data: URL(s): {', '.join(v[:60] for v in dangerous[:3])}",
    )
    relative = [
        f"{where}={value[:80]!r}"
        for where, value in scan.urls
        if value != UNSUBSCRIBE_PLACEHOLDER and not _absolute_http(value) and value not in dangerous
    ]
    rule(
        "absolute-links",
        not relative,
        f"link(s) not absolute http(s): {', '.join(relative[:3])}",
    )
    rule(
        "img-alt",
        scan.images_without_alt == 0,
        f"{scan.images_without_alt} <img> without alt text",
    )
    preheader = _squash(edition.preheader)
    rule(
        "preheader",
        bool(preheader) and preheader in html_text,
        "no preheader text" if not preheader else "preheader text missing from the HTML",
    )
    rule(
        "unsubscribe-html",
        scan.unsubscribe_links > 0,
        f'no <a href="{UNSUBSCRIBE_PLACEHOLDER}"> in the HTML (unsubscribe link)',
    )
    rule(
        "unsubscribe-text",
        UNSUBSCRIBE_PLACEHOLDER in edition.text,
        f"{UNSUBSCRIBE_PLACEHOLDER} missing from the text edition",
    )
    for where, haystack in (("html", html_text), ("text", plain), ("post", post)):
        missing = [
            s.headline for s in briefing.stories if _squash(s.headline) not in _unmark(haystack)
        ]
        rule(
            f"headlines-{where}",
            not missing,
            f"{len(missing)} headline(s) missing from the {where} edition: {missing[0][:60]!r}"
            if missing
            else "",
        )
    rule(
        "utf8-declared",
        scan.charset.lower().replace("_", "-") in ("utf-8", "utf8"),
        "the HTML does not declare charset UTF-8",
    )
    rule(
        "html-lang",
        scan.lang == briefing.language,
        f"<html lang> is {scan.lang!r}, expected {briefing.language!r}",
    )
    return results


def _absolute_http(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _unmark(text: str) -> str:
    """The post's Markdown escapes (`\\[`, `&lt;`) undone so headlines compare as text."""
    return unescape(re.sub(r"\\([\\`*_{}\[\]()#+\-.!>])", r"\1", text))


def failures(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if not r.ok and r.level == ERROR]


def enforce(edition: Edition, briefing: Briefing) -> list[CheckResult]:
    """All results; raises CheckFailed naming every failed error-level rule."""
    results = check_edition(edition, briefing)
    failed = failures(results)
    if failed:
        raise CheckFailed(failed)
    return results
