"""Signed tokens for the links in a message: unsubscribe, and signup confirmation.

A token names a subscriber (or, for a confirmation, an address) and a list and
carries an HMAC-SHA256 signature made with `NEWSLETTER_SECRET_KEY` (itsdangerous,
which compares in constant time). Nothing secret is inside: the signature only
proves that *we* made the link, so a guessed or altered URL can never unsubscribe
or subscribe somebody else. Each kind has its own salt, so an unsubscribe token
is never accepted as a confirmation and the other way round.

A confirmation token also carries the time it was made (checked against a
maximum age) and the time of the address's last change at that moment
(`stamp`: the subscriber's `updated`, or when a forgotten address was erased):
a change after the mail went out (an unsubscribe, a bounce, an erasure) makes
every earlier confirmation link stale, so coming back always takes a fresh one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from itsdangerous import (
    BadSignature,
    Serializer,
    SignatureExpired,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)
from itsdangerous.encoding import base64_encode

from newsletter.audience.key_strength import GENERATE, key_weakness

SECRET_ENV = "NEWSLETTER_SECRET_KEY"
#: Keys retired by a rotation, comma-separated: links signed with them still verify,
#: new links are signed with the current key only.
PREVIOUS_SECRETS_ENV = "NEWSLETTER_PREVIOUS_SECRET_KEYS"
_UNSUBSCRIBE_SALT = "newsletter.unsubscribe.v1"
_CONFIRM_SALT = "newsletter.confirm.v1"
CONFIRM_MAX_AGE = timedelta(days=7)


class TokenError(ValueError):
    """A token was forged, altered, truncated or made for another list."""


class TokenExpired(TokenError):
    """A genuine confirmation token, but older than its maximum age."""


class SecretKeyError(RuntimeError):
    """No usable signing key: the message says how to set one."""


def secret_key(*, transport: str, data_dir: Path) -> str:
    """`$NEWSLETTER_SECRET_KEY`; for offline (outbox) use, a local key is made once.

    A real send must use a key from the environment so that the public web app,
    possibly on another machine, verifies the same links. The offline demo has no
    such app, so it gets a random key kept beside its data (git-ignored).
    Every key read here, retired ones included, must pass `key_weakness`: a
    guessable key would let anybody forge links, so it is refused (SecretKeyError).
    """
    for position, retired in enumerate(previous_secrets(), 1):
        _refuse_weak(retired, f"${PREVIOUS_SECRETS_ENV} (key {position})")
    key = os.environ.get(SECRET_ENV, "")
    if key:
        _refuse_weak(key, f"${SECRET_ENV}")
        return key
    if transport != "outbox":
        raise SecretKeyError(f"${SECRET_ENV} is not set: generate one with `{GENERATE}`")
    path = data_dir / ".newsletter-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="ascii")
        path.chmod(0o600)
        print(f"note: ${SECRET_ENV} is not set; using a local key in {path}", file=sys.stderr)
    key = path.read_text(encoding="ascii").strip()
    _refuse_weak(key, f"the local key in {path}")
    return key


def _refuse_weak(key: str, name: str) -> None:
    """A key that could be guessed lets anybody forge links: refuse it, naming only where."""
    weakness = key_weakness(key)
    if weakness is not None:
        raise SecretKeyError(f"{name} {weakness}; generate one with `{GENERATE}`")


class _LinkSerializer(URLSafeSerializer):
    """URLSafeSerializer minus the zlib attempt for tiny payloads.

    For a payload of a few dozen bytes compression never wins, so the token is
    byte-for-byte what URLSafeSerializer makes; skipping the attempt saves ≈0.3 ms
    per link (zlib sets up its window every time), a fifth of the CPU a send may
    spend per message. Reading is unchanged.
    """

    def dump_payload(self, obj: Any) -> bytes:
        payload = Serializer.dump_payload(self, obj)
        if len(payload) > 64:
            return super().dump_payload(obj)
        return base64_encode(payload)


def previous_secrets() -> tuple[str, ...]:
    """Retired keys from `$NEWSLETTER_PREVIOUS_SECRET_KEYS`, so a rotation keeps old links working.

    An unsubscribe link in a message sent last year must still work: RFC 8058 and
    the law expect it to, whatever happened to our key since.
    """
    raw = os.environ.get(PREVIOUS_SECRETS_ENV, "")
    return tuple(key.strip() for key in raw.split(",") if key.strip())


def _serializer(secret: str) -> URLSafeSerializer:
    return _link_serializer(secret, previous_secrets())


@lru_cache(maxsize=4)
def _link_serializer(secret: str, previous: tuple[str, ...]) -> URLSafeSerializer:
    # itsdangerous signs with the last key and accepts any of them
    return _LinkSerializer(
        [*previous, secret],
        salt=_UNSUBSCRIBE_SALT,
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def unsubscribe_token(secret: str, subscriber_id: int, list_id: str) -> str:
    """A URL-safe token for `/u/{token}` naming one subscriber of one list."""
    return _serializer(secret).dumps([subscriber_id, list_id])


class UnsubscribeTokens:
    """`unsubscribe_token(secret, id, list_id)` for every recipient of one campaign, at a
    quarter of its CPU: the same string (a test compares), with the list's JSON and the
    signing key made once, where itsdangerous builds a signer, derives its key and runs
    the JSON encoder for every token (≈13 µs, a fortieth of a message's budget)."""

    def __init__(self, secret: str, list_id: str) -> None:
        self._secret, self._list_id = secret, list_id
        serializer = _serializer(secret)
        signer = serializer.make_signer(serializer.salt)
        self._key = signer.derive_key()  # from the current key, which itsdangerous signs with
        self._sep = signer.sep
        self._list_json = json.dumps(list_id, ensure_ascii=False)  # as itsdangerous' JSON

    def __call__(self, subscriber_id: int) -> str:
        payload = f"[{subscriber_id},{self._list_json}]".encode()
        if type(subscriber_id) is not int or len(payload) > 64:  # zlib is tried above 64
            return unsubscribe_token(self._secret, subscriber_id, self._list_id)
        encoded = base64_encode(payload)
        signature = base64_encode(hmac.digest(self._key, encoded, "sha256"))
        return (encoded + self._sep + signature).decode("ascii")


def read_unsubscribe_token(secret: str, token: str, list_id: str) -> int:
    """The subscriber id inside a valid token of this list; `TokenError` otherwise."""
    try:
        subscriber_id, token_list = _serializer(secret).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise TokenError("invalid unsubscribe token") from None
    if token_list != list_id or not isinstance(subscriber_id, int):
        raise TokenError("invalid unsubscribe token")
    return subscriber_id


@dataclass(frozen=True)
class ConfirmClaims:
    """What a valid confirmation token says.

    `stamp` is the subscriber's `updated` time in microseconds when the link was
    made or, when no subscriber existed (a forgotten address: nothing is stored
    until the person confirms, so `name` travels in the token for that case
    only), the time the address was erased.
    """

    email: str
    name: str
    stamp: int
    issued: datetime


class _ClockSigner(TimestampSigner):
    """A TimestampSigner whose "now" can be injected (tests sign in the past)."""

    def __init__(self, *args: Any, clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = clock

    def get_timestamp(self) -> int:
        return int(self.clock())


def _timed(secret: str, clock: Callable[[], float]) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        [*previous_secrets(), secret],
        salt=_CONFIRM_SALT,
        signer=_ClockSigner,
        signer_kwargs={"digest_method": hashlib.sha256, "clock": clock},
    )


def confirmation_token(
    secret: str,
    list_id: str,
    email: str,
    *,
    stamp: int,
    name: str = "",
    clock: Callable[[], float] = time.time,
) -> str:
    """A URL-safe, expiring token for `/confirm/{token}`."""
    return _timed(secret, clock).dumps([list_id, email, name, stamp])


def read_confirmation_token(
    secret: str,
    token: str,
    list_id: str,
    *,
    max_age: timedelta = CONFIRM_MAX_AGE,
    clock: Callable[[], float] = time.time,
) -> ConfirmClaims:
    """The claims of a valid, unexpired token of this list; `TokenExpired` for a genuine
    token past `max_age`, `TokenError` for anything else."""
    try:
        payload, issued = _timed(secret, clock).loads(
            token, max_age=int(max_age.total_seconds()), return_timestamp=True
        )
    except SignatureExpired:
        raise TokenExpired("confirmation link expired") from None
    except (BadSignature, ValueError, TypeError):
        raise TokenError("invalid confirmation token") from None
    if not (isinstance(payload, list) and len(payload) == 4):
        raise TokenError("invalid confirmation token")
    token_list, email, name, stamp = payload
    if (
        token_list != list_id
        or not isinstance(email, str)
        or not isinstance(name, str)
        or not isinstance(stamp, int)
    ):
        raise TokenError("invalid confirmation token")
    return ConfirmClaims(email, name, stamp, issued.astimezone(UTC))


def stamp_of(moment: datetime) -> int:
    """`moment` as whole microseconds since the epoch: exact, unlike a float timestamp."""
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
