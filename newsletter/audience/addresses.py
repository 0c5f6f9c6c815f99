"""Email addresses: validation, the case-insensitive lookup key, and clean names.

Addresses are stored as the subscriber gave them, but uniqueness is decided on a
key (local part lower-cased, domain in its ASCII/IDNA form), so `Kim@Example.com`,
`kim@example.com` and `kim@EXAMPLE.COM` are one person and `user@bücher.de` equals
`user@xn--bcher-kva.de`.

email-validator decides what is valid (syntax and RFC length limits, no DNS). It costs ~20 µs per
call, which alone would cap an import at 50,000 rows/s, so plain ASCII addresses
take a fast path: a strict dot-atom pattern for the local part plus a cached
email-validator verdict per domain (a list has few distinct domains). Anything the
fast path is not sure about goes to email-validator; tests check both agree.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

# RFC 5322 dot-atom text in ASCII: what email-validator accepts unquoted.
_FAST = re.compile(
    r"(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>[A-Za-z0-9.-]{1,253})"
)
_LOCAL_MAX = 64
_ADDRESS_MAX = 254
_NAME_MAX = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
#: What may be trimmed from around an address: spaces and tabs, nothing that ends a line.
_TRIMMED = " \t"
#: Control, line-separator and invisible format characters: never part of an address we keep
#: (a carriage return trimmed away would subscribe `victim@example.com` from `…com\r`).
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_TOMBSTONE_SALT = b"newsletter.forget.v1:"


class InvalidAddress(ValueError):
    """An address that cannot be subscribed; `str()` is the one-line reason."""


@dataclass(frozen=True)
class Address:
    email: str  # as given (surrounding spaces and tabs removed)
    key: str  # the unique, case-insensitive form


def parse_address(value: str) -> Address:
    """Validate `value`; `InvalidAddress` says why it is not an email address."""
    email = value.strip(_TRIMMED)
    if not email:
        raise InvalidAddress("empty address")
    invisible = _INVISIBLE.search(email)
    if invisible:
        raise InvalidAddress(
            f"invalid characters: a control or line-break character (U+{ord(invisible[0]):04X})"
        )
    match = _FAST.fullmatch(email)
    if match and len(match.group("local")) <= _LOCAL_MAX:
        verdict = _domain(match.group("domain"))
        if verdict is not None:
            key = f"{match.group('local').lower()}@{verdict}"
            if len(key) <= _ADDRESS_MAX and len(email) <= _ADDRESS_MAX:
                return Address(email, key)
    return Address(email, _full_key(email))


def address_key(value: str) -> str:
    return parse_address(value).key


#: Providers that deliver `a.n.a@` to `ana@` (Gmail ignores dots in the local part).
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_key(key: str) -> str:
    """The mailbox a key delivers to, for counting limits: `ana+news@x` and `ana@x` are one
    mailbox (the `+tag` is the owner's filter, not another person), and at Gmail so are
    `a.na@` and `ana@` — so six `target+N@` signups are six mails to one inbox. The stored
    address stays as typed; this key is only ever counted, never sent to."""
    local, _, domain = key.rpartition("@")
    local = local.split("+", 1)[0] or local  # "+tag@x" alone keeps its name
    if domain in DOTLESS_DOMAINS:
        domain = DOTLESS_DOMAINS[domain]
        local = local.replace(".", "") or local
    return f"{local}@{domain}"


def tombstone_hash(key: str) -> str:
    """What `forget` keeps of an address: enough to recognise it, not to read it."""
    return hashlib.sha256(_TOMBSTONE_SALT + key.encode("utf-8")).hexdigest()


def clean_name(value: str | None) -> str:
    """A display name safe for headers and tables: no control characters, bounded length."""
    if not value:
        return ""
    return " ".join(_CONTROL.sub(" ", value).split())[:_NAME_MAX]


def _full_key(email: str) -> str:
    try:
        result = validate_email(email, check_deliverability=False, strict=True)
    except EmailNotValidError as exc:
        raise InvalidAddress(str(exc)) from None
    return f"{result.local_part.lower()}@{result.ascii_domain.lower()}"


@lru_cache(maxsize=8192)
def _domain(domain: str) -> str | None:
    """The ASCII domain if email-validator accepts `domain` for any plain local part."""
    try:
        result = validate_email("x@" + domain, check_deliverability=False, strict=True)
    except EmailNotValidError:
        return None
    return result.ascii_domain.lower()
