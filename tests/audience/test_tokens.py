"""Signed links: only ours verify, and a key rotation does not break links already sent."""

from __future__ import annotations

import pytest

from newsletter.audience.tokens import (
    PREVIOUS_SECRETS_ENV,
    TokenError,
    confirmation_token,
    read_confirmation_token,
    read_unsubscribe_token,
    unsubscribe_token,
)

OLD = "old-key-0123456789abcdef0123456789"
NEW = "new-key-fedcba9876543210fedcba9876"
LIST = "daily.example.com"


def test_round_trip_and_tampering() -> None:
    token = unsubscribe_token(NEW, 42, LIST)
    assert read_unsubscribe_token(NEW, token, LIST) == 42
    for bad in (token[:-1], token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", ""):
        with pytest.raises(TokenError):
            read_unsubscribe_token(NEW, bad, LIST)
    with pytest.raises(TokenError):
        read_unsubscribe_token(NEW, token, "other.example.com")
    with pytest.raises(TokenError):
        read_unsubscribe_token(OLD, token, LIST)


def test_rotation_keeps_old_links_and_signs_with_the_new_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent_last_year = unsubscribe_token(OLD, 7, LIST)
    with pytest.raises(TokenError):  # without the retired key listed, the old link is dead
        read_unsubscribe_token(NEW, sent_last_year, LIST)

    monkeypatch.setenv(PREVIOUS_SECRETS_ENV, f" {OLD} ,")
    assert read_unsubscribe_token(NEW, sent_last_year, LIST) == 7
    fresh = unsubscribe_token(NEW, 7, LIST)
    assert fresh == unsubscribe_token(NEW, 7, LIST)
    monkeypatch.delenv(PREVIOUS_SECRETS_ENV)
    assert read_unsubscribe_token(NEW, fresh, LIST) == 7  # new links need only the new key
    with pytest.raises(TokenError):
        read_unsubscribe_token(OLD, fresh, LIST)


def test_rotation_applies_to_confirmation_links(monkeypatch: pytest.MonkeyPatch) -> None:
    token = confirmation_token(OLD, LIST, "reader@example.com", stamp=1)
    with pytest.raises(TokenError):
        read_confirmation_token(NEW, token, LIST)
    monkeypatch.setenv(PREVIOUS_SECRETS_ENV, OLD)
    assert read_confirmation_token(NEW, token, LIST).email == "reader@example.com"
