"""Why an address was refused, in the list's language.

email-validator explains a bad address in English ("There must be something
after the @-sign."). On a Korean signup page that sentence would be the only
English on the page, so its usual reasons are said in the page's language (the
`[refusal]` table of the catalogs in newsletter/i18n); a reason we
do not know (a newer email-validator may add some) gives the page's plain "not
an email address" without a reason rather than half a page in another language.
"""

from __future__ import annotations

import re
import unicodedata

from newsletter.i18n import FALLBACK, Catalog, catalog

# (pattern of email-validator's sentence, its key in the catalogs' [refusal] table);
# `{detail}` in the message is what the pattern captured
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"An email address must have an @-sign"), "no_at"),
    (re.compile(r"There must be something after the @-sign"), "nothing_after_at"),
    (re.compile(r"There must be something before the @-sign"), "nothing_before_at"),
    (
        re.compile(r"The email address contains invalid characters before the @-sign: (.+?)\.?$"),
        "bad_characters_before_at",
    ),
    (
        re.compile(r"The part after the @-sign contains invalid characters: (.+?)\.?$"),
        "bad_characters_after_at",
    ),
    (
        re.compile(r"The part after the @-sign is not valid\. It should have a period"),
        "no_period_after_at",
    ),
    (
        re.compile(r"The email address contains unsafe characters: (.+?)\.?$"),
        "unsafe_characters",
    ),
    (re.compile(r"cannot have two periods in a row"), "two_periods"),
    (re.compile(r"cannot start with a period"), "starts_with_period"),
    (re.compile(r"cannot end with a period"), "ends_with_period"),
    (re.compile(r"hyphen immediately after the @-sign"), "hyphen_after_at"),
    (re.compile(r"too long", re.I), "too_long"),
    (re.compile(r"^empty address$"), "empty"),
]


def reason_in(language: str, reason: str) -> str:
    """`reason` for a page in `language` ("" when there is no good way to say it).

    email-validator speaks English, so an English page shows its own sentence."""
    words = catalog(language)
    if words.language == FALLBACK:
        return reason
    for pattern, key in _REASONS:
        found = pattern.search(reason)
        if found:
            detail = _characters(found.group(1), words) if found.groups() else ""
            return words.text(f"refusal.{key}", detail=detail)
    return ""


# a character email-validator names instead of quoting: `SPACE`, `NO-BREAK SPACE`, …
_NAMED = re.compile(r"(?<![\w'])[A-Z][A-Z0-9-]*(?: [A-Z0-9-]+)*(?![\w'])")


def _characters(detail: str, words: Catalog) -> str:
    """email-validator's list of refused characters in the page's words.

    It quotes a visible character (`'_'`) but names an invisible one in English
    (`SPACE`, `IDEOGRAPHIC SPACE` from a Korean keyboard): a space of any kind is
    said in the page's language, any other invisible character by its code point."""

    def said(found: re.Match[str]) -> str:
        try:
            character = unicodedata.lookup(found.group(0))
        except KeyError:
            return found.group(0)
        return words.text("refusal.space") if character.isspace() else f"U+{ord(character):04X}"

    return _NAMED.sub(said, detail)
