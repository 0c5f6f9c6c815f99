"""Address validation and the uniqueness key, including the fast path's agreement
with email-validator (the fast path exists only for import speed)."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.audience.addresses import (
    InvalidAddress,
    _full_key,
    clean_name,
    mailbox_key,
    parse_address,
    tombstone_hash,
)


def test_key_ignores_case_but_the_address_is_kept_as_given() -> None:
    address = parse_address("  Kim.Minji@Example.COM ")
    assert address.email == "Kim.Minji@Example.COM"
    assert address.key == "kim.minji@example.com"
    assert parse_address("kim.minji@example.com").key == address.key


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("user@bücher.de", "user@xn--bcher-kva.de"),
        ("user@xn--bcher-kva.de", "user@xn--bcher-kva.de"),
        ("USER@BÜCHER.DE", "user@xn--bcher-kva.de"),
        ("민지@예시.한국", "민지@xn--vv4b11d.xn--3e0b707e"),
        ("θσερ@εχαμπλε.ψομ", "θσερ@xn--mxahbxey0c.xn--xxaf0a"),
    ],
)
def test_international_addresses_are_accepted_and_keyed_by_ascii_domain(
    given: str, key: str
) -> None:
    assert parse_address(given).key == key
    assert parse_address(given).email == given


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("plainaddress", "@"),
        ("a@b@example.com", "@"),
        ("john..doe@example.com", "period"),
        ("john@localhost", "period"),
        ("john@example.test", "special-use"),
        ("john doe@example.com", "invalid characters"),
        ("john@exa mple.com", "invalid characters"),
        ("john@example.com\r\nBcc: x@example.com", "invalid characters"),
        ("x" * 65 + "@example.com", "too long"),
    ],
)
def test_invalid_addresses_say_why_in_one_line(value: str, reason: str) -> None:
    with pytest.raises(InvalidAddress) as caught:
        parse_address(value)
    message = str(caught.value)
    assert reason.lower() in message.lower()
    assert "\n" not in message


ATOM = "abcXYZ019!#$%&'*+/=?^_`{|}~-."
DOMAIN = "abcXYZ019-."


@settings(max_examples=400, deadline=None)
@given(
    local=st.text(alphabet=ATOM, min_size=0, max_size=70),
    domain=st.one_of(
        st.text(alphabet=DOMAIN, min_size=0, max_size=30),
        st.sampled_from(["example.com", "EXAMPLE.com", "a.b", "x.test", "1.2.3.4", "a-.com"]),
    ),
)
def test_fast_path_agrees_with_email_validator(local: str, domain: str) -> None:
    value = f"{local}@{domain}"
    try:
        expected = _full_key(value)
    except InvalidAddress:
        expected = None
    try:
        got = parse_address(value).key
    except InvalidAddress:
        got = None
    assert got == expected


def test_fast_path_key_matches_email_validator_normalisation() -> None:
    for value in ["A.B+tag@Sub.Example.ORG", "o'hara@example.ie", "=cmd@example.com"]:
        result = validate_email(value, check_deliverability=False)
        assert parse_address(value).key == result.normalized.lower()


def test_email_validator_rejects_what_we_reject() -> None:
    with pytest.raises(EmailNotValidError):
        validate_email("john..doe@example.com", check_deliverability=False)


def test_names_cannot_carry_header_injection_or_control_characters() -> None:
    assert clean_name("Kim\r\nBcc: victim@example.com") == "Kim Bcc: victim@example.com"
    assert clean_name("  김\t민지 ") == "김 민지"
    assert clean_name(None) == ""
    assert len(clean_name("x" * 1000)) == 200


def test_tombstone_is_a_hash_of_the_key_not_the_address() -> None:
    hashed = tombstone_hash(parse_address("Kim@Example.com").key)
    assert hashed == tombstone_hash(parse_address("kim@example.com").key)
    assert "kim" not in hashed and len(hashed) == 64


@pytest.mark.parametrize(
    ("given", "mailbox"),
    [
        ("target@example.com", "target@example.com"),
        ("target+1@example.com", "target@example.com"),
        ("Target+news+more@Example.com", "target@example.com"),
        ("t.a.r.get@gmail.com", "target@gmail.com"),
        ("T.A.R.G.E.T+x@googlemail.com", "target@gmail.com"),
        ("t.a.r.get@example.com", "t.a.r.get@example.com"),  # dots matter elsewhere
        ("+only@example.com", "+only@example.com"),
        ("민지+태그@예시.한국", "민지@xn--vv4b11d.xn--3e0b707e"),
    ],
)
def test_limits_count_per_mailbox(given: str, mailbox: str) -> None:
    address = parse_address(given)
    assert mailbox_key(address.key) == mailbox
    assert address.email == given  # stored as typed
