"""How strong a signing key is: an estimate of its random bits, and the minimum we accept.

Whoever knows (or guesses) the key can forge unsubscribe and confirmation links
for any address, so a key that is short or a pattern is refused wherever it is
read — by `send`, `daily`, the web app and the CLI — not only reported by `doctor`.
"""

from __future__ import annotations

import math
import string

#: Refused below this: what README and the errors promise.
MIN_KEY_LENGTH = 32
MIN_KEY_BITS = 128
#: What a generated key (`secrets.token_urlsafe(32)`) has; `doctor` asks for this much.
GENERATED_KEY_BITS = 256
GENERATE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"

_HEX = frozenset(string.hexdigits)
_BASE64 = frozenset(string.ascii_letters + string.digits + "+/-_=")
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
_PUNCTUATION = frozenset(string.punctuation + " ")


def key_weakness(key: str) -> str | None:
    """Why `key` must not sign links (one phrase, never the key itself), or None."""
    if len(key) < MIN_KEY_LENGTH:
        return f"is too short ({len(key)} characters; at least {MIN_KEY_LENGTH} random ones)"
    bits, how = entropy_bits(key)
    if bits < MIN_KEY_BITS:
        return (
            f"is too weak (about {bits} bits of entropy, {how}; at least {MIN_KEY_BITS} are needed)"
        )
    return None


def entropy_bits(key: str) -> tuple[int, str]:
    """A reasonable estimate of how many random bits `key` holds, and how it was estimated.

    No test on one string can measure randomness; we can only bound it by
    length × log2(size of the alphabet the key seems drawn from), and catch the
    real mistakes: short keys, words and placeholders, patterns.
    - Generated keys are hex (single case: 4 bits a character) or base64/base64url
      (6 bits a character, i.e. their decoded bytes × 8) that mixes at least two of
      lower case, upper case and digits, as random base64 practically always does.
    - Anything else is charged by the character classes it uses (26 lower, 26
      upper, 10 digits, the 33 ASCII punctuation characters and space — or only the
      distinct ones when fewer than four appear, so "change-me-please-…" counts as
      27 symbols, not 59 — and 100 more for non-ASCII).
    - A key made of few distinct characters ("aaaa…", "abab…") is a pattern and
      is charged log2(distinct characters) each.
    """
    if not key:
        return 0, "empty"
    chars = set(key)
    classes = [bool(chars & set(group)) for group in _CLASSES]
    length = len(key)
    if chars <= _HEX and not (chars & set("abcdef") and chars & set("ABCDEF")):
        per_char, how = 4.0, "hex"
    elif chars <= _BASE64 and sum(classes) >= 2:
        length = len(key.rstrip("="))
        per_char, how = 6.0, "base64"
    else:
        alphabet = sum(len(group) for group, used in zip(_CLASSES, classes, strict=True) if used)
        punctuation = chars & _PUNCTUATION
        alphabet += len(_PUNCTUATION) if len(punctuation) >= 4 else len(punctuation)
        if any(ord(c) > 127 for c in chars):
            alphabet += 100
        per_char, how = math.log2(max(alphabet, 2)), "by character classes"
    # A random string uses many distinct characters of its alphabet; few means a pattern.
    if len(chars) < min(length, 2**per_char) / 4:
        per_char, how = math.log2(max(len(chars), 2)), "repetitive: few distinct characters"
    return int(length * per_char), how
