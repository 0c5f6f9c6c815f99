"""The per-message unsubscribe token: the fast path makes exactly itsdangerous' token."""

from __future__ import annotations

import hashlib

import pytest
from itsdangerous import URLSafeSerializer

from newsletter.audience.tokens import (
    UnsubscribeTokens,
    read_unsubscribe_token,
    unsubscribe_token,
)

SECRET = "test-secret-key-0123456789abcdef"


def test_tokens_are_byte_identical_to_url_safe_serializer_and_verify() -> None:
    reference = URLSafeSerializer(
        SECRET, salt="newsletter.unsubscribe.v1", signer_kwargs={"digest_method": hashlib.sha256}
    )
    for subscriber_id in (0, 1, 42, 99_999, 10**9):
        for list_id in ("daily.example.com", "데일리-테크-브리핑.example.com", "x" * 200):
            token = unsubscribe_token(SECRET, subscriber_id, list_id)
            assert token == reference.dumps([subscriber_id, list_id])
            assert read_unsubscribe_token(SECRET, token, list_id) == subscriber_id


def test_a_campaign_s_tokens_are_the_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """The campaign signs with the key derived once; each token must be the one
    `unsubscribe_token` makes, also after a key rotation (signed with the current key)."""
    for previous in ("", "old-secret-key-0123456789abcdef0"):
        monkeypatch.setenv("NEWSLETTER_PREVIOUS_SECRET_KEYS", previous)
        for list_id in ("daily.example.com", "데일리-테크-브리핑.example.com", "x" * 200, 'a"b\\c'):
            tokens = UnsubscribeTokens(SECRET, list_id)
            for subscriber_id in (0, 1, 42, 99_999, 10**9, 10**40, True):
                expected = unsubscribe_token(SECRET, subscriber_id, list_id)
                assert tokens(subscriber_id) == expected
