"""The per-message unsubscribe token: the fast path makes exactly itsdangerous' token."""

from __future__ import annotations

import hashlib

from itsdangerous import URLSafeSerializer

from newsletter.audience.tokens import read_unsubscribe_token, unsubscribe_token

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
