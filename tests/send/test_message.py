"""Messages are correct MIME with the list headers, and feed text can never forge a header."""

from __future__ import annotations

import base64
import email
from dataclasses import replace
from datetime import date
from email import policy
from email.header import Header, decode_header, make_header
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.model import NAME_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, Edition
from newsletter.send.message import (
    EncodedPart,
    HeaderInjection,
    MessageTemplate,
    Recipient,
    UnsupportedAddress,
    _encode_words,
)

EDITION = Edition(
    date=date(2026, 2, 7),
    subject="2026-02-07 데일리 테크 브리핑",
    preheader="오늘의 소식",
    html=f'<html><body><p>{NAME_PLACEHOLDER}님</p><a href="{UNSUBSCRIBE_PLACEHOLDER}">수신 거부</a>'
    + "<p>"
    + "긴 줄 " * 2000
    + "</p></body></html>",
    text=f"안녕하세요 {NAME_PLACEHOLDER}님\n수신 거부: {UNSUBSCRIBE_PLACEHOLDER}\n",
    markdown="",
)


def template(**overrides: str) -> MessageTemplate:
    options = {
        "sender": "데일리 테크 브리핑 <briefing@example.com>",
        "list_id": "daily.example.com",
        "list_name": "데일리 테크 브리핑",
    }
    options.update(overrides)
    return MessageTemplate(EDITION, **options)


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def test_list_unsubscribe_offers_a_mailto_only_for_a_mailbox_someone_reads() -> None:
    """Apple Mail and Outlook send an unsubscribe request to the mailto when there is one: to
    the sender's own address, read by nobody, every such request was lost (the reader kept
    getting mail and reported it as spam). Unset, the one-click link stands alone."""
    url = "https://news.example.com/u/abc.def"
    plain = parse(template().build(Recipient("a@example.com", "", url)))
    assert plain["List-Unsubscribe"] == f"<{url}>"
    assert plain["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with pytest.raises(HeaderInjection, match=r"sender\.unsubscribe_mailbox"):
        template(unsubscribe_mailbox="unsub@example.com\r\nBcc: x@example.com")


def test_headers_and_parts() -> None:
    url = "https://news.example.com/u/abc.def"
    raw = template(reply_to="editor@example.com", unsubscribe_mailbox="unsub@example.com").build(
        Recipient("minji@bücher.example.com", "김민지", url)
    )
    message = parse(raw)
    assert message["Subject"] == "2026-02-07 데일리 테크 브리핑"
    assert message["From"].addresses[0].display_name == "데일리 테크 브리핑"
    assert message["To"].addresses[0].display_name == "김민지"
    assert message["To"].addresses[0].addr_spec == "minji@xn--bcher-kva.example.com"
    assert message["Reply-To"] == "editor@example.com"
    assert message["List-Id"].endswith("<daily.example.com>")
    assert message["List-Unsubscribe"] == f"<{url}>, <mailto:unsub@example.com?subject=unsubscribe>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@example.com>")
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    text, page = message.get_payload()
    assert text.get_content_type() == "text/plain"
    assert page.get_content_type() == "text/html"
    assert f"수신 거부: {url}" in text.get_content()
    assert "김민지님" in text.get_content()
    assert f'href="{url}"' in page.get_content()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    raw.decode("ascii")  # 7-bit clean: no transfer can mangle it


def test_every_message_has_its_own_message_id() -> None:
    build = template().build
    first = parse(build(Recipient("a@example.com", "", "https://x.example.com/u/1")))
    second = parse(build(Recipient("b@example.com", "", "https://x.example.com/u/2")))
    assert first["Message-ID"] != second["Message-ID"]


def test_names_are_escaped_in_html() -> None:
    raw = template().build(Recipient("a@example.com", "<b>Eve</b>", "https://x.example.com/u/1"))
    page = parse(raw).get_payload()[1].get_content()
    assert "&lt;b&gt;Eve&lt;/b&gt;" in page
    assert "<b>Eve</b>" not in page


@pytest.mark.parametrize(
    "recipient",
    [
        Recipient("a@example.com\r\nBcc: victim@example.com", "", "https://x.example.com/u/1"),
        Recipient("a@example.com", "Eve\nBcc: victim@example.com", "https://x.example.com/u/1"),
        Recipient("a@example.com", "", "https://x.example.com/u/1\r\nX-Evil: 1"),
    ],
)
def test_control_characters_never_reach_a_header(recipient: Recipient) -> None:
    with pytest.raises(HeaderInjection):
        template().build(recipient)


def test_non_ascii_local_part_is_refused_not_garbled() -> None:
    with pytest.raises(UnsupportedAddress):
        template().build(Recipient("민지@example.com", "", "https://x.example.com/u/1"))


def test_injected_subject_is_rejected_at_build_time() -> None:
    bad = Edition(EDITION.date, "Hi\r\nBcc: all@example.com", "", "<p/>", "x", "")
    with pytest.raises(HeaderInjection, match="subject"):
        MessageTemplate(bad, sender="a@example.com", list_id="l.example.com", list_name="L")


def test_long_non_ascii_headers_fold_with_crlf_and_decode() -> None:
    subject = "2026-02-07 데일리 테크 브리핑: " + "에이전트가 만든 C 컴파일러와 반도체 소식 " * 4
    edition = Edition(EDITION.date, subject, "", EDITION.html, EDITION.text, "")
    raw = MessageTemplate(
        edition,
        sender="데일리 테크 브리핑 데일리 테크 브리핑 데일리 테크 브리핑 <briefing@example.com>",
        list_id="daily.example.com",
        list_name="데일리 테크 브리핑",
        reply_to="편집장 김민지 <editor@example.com>",
    ).build(
        Recipient("a@example.com", "아주 긴 이름을 가진 구독자 " * 3, "https://x.example.com/u/1")
    )
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\n" not in head.replace(b"\r\n", b""), "a bare LF would break the message"
    encoded = [line for line in head.split(b"\r\n") if b"=?utf-8?" in line]
    assert len(encoded) > 8 and all(len(line) <= 78 for line in encoded)
    message = parse(raw)
    assert message["Subject"] == subject
    assert message["Reply-To"].addresses[0].display_name == "편집장 김민지"
    assert message["From"].addresses[0].addr_spec == "briefing@example.com"
    # RFC 2047: the folding space between encoded words is not part of the name. (CPython's
    # structured-header parser inserts spaces there, for its own output too; the classic
    # decoder gets it right, as mail clients do.)
    raw_to = email.message_from_bytes(raw)["To"]
    name = ("아주 긴 이름을 가진 구독자 " * 3).strip()
    decoded = " ".join(str(make_header(decode_header(raw_to))).split())
    assert decoded == f"{name} <a@example.com>"


def test_reply_to_cannot_inject_either() -> None:
    with pytest.raises(HeaderInjection, match="reply_to"):
        template(reply_to="a@example.com\r\nBcc: x@example.com")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no placeholder at all, 한국어 too " * 9,
        UNSUBSCRIBE_PLACEHOLDER,
        "가" * 19 + UNSUBSCRIBE_PLACEHOLDER,  # the head ends inside a 57-byte group
        "x" * 57 + UNSUBSCRIBE_PLACEHOLDER + "y" * 200 + NAME_PLACEHOLDER + "🎉",
        NAME_PLACEHOLDER + "x" * 500 + UNSUBSCRIBE_PLACEHOLDER + UNSUBSCRIBE_PLACEHOLDER,
        "%%" + UNSUBSCRIBE_PLACEHOLDER + "%%" + "z" * 120,
    ],
)
def test_a_part_encoded_from_its_precomputed_head_is_the_whole_part_encoded(text: str) -> None:
    """The head before the first placeholder is encoded once per edition; the bytes must be
    those of encoding the filled part whole, wherever the placeholders sit."""
    for url, name in (("https://news.example.com/u/t0k", "독자"), ("", ""), ("u", "n")):
        filled = text.replace(UNSUBSCRIBE_PLACEHOLDER, url).replace(NAME_PLACEHOLDER, name)
        encoded = base64.b64encode(filled.encode("utf-8"))
        lines = [encoded[i : i + 76] for i in range(0, len(encoded), 76)]
        assert EncodedPart(text).encode(url, name) == b"\r\n".join([*lines, b""])


@pytest.mark.parametrize("name", ["", "A", "독자", "Ada Lovelace", "가나다라마바사아자차카타파하"])
def test_the_api_base64_of_a_message_is_the_base64_of_its_bytes(name: str) -> None:
    """The SES API sends the message base64-encoded; the HTML part's head is encoded once per
    edition at each alignment, and the result must be the plain encoding of the bytes."""
    raw = template().build(Recipient("reader@example.net", name, "https://n.example/u/tok"))
    assert raw.base64() == base64.b64encode(bytes(raw))


def test_the_api_base64_holds_for_a_real_edition() -> None:
    golden = Path(__file__).parents[1] / "render" / "data" / "golden" / "ko"
    edition = replace(
        EDITION,
        html=(golden / "email.html").read_text(encoding="utf-8"),
        text=(golden / "email.txt").read_text(encoding="utf-8"),
    )
    built = MessageTemplate(edition, sender="a@example.com", list_id="l.example.com", list_name="L")
    for number in range(7):  # names of seven lengths: every alignment of the HTML part
        raw = built.build(Recipient("r@example.net", "독" * number, "https://n.example/u/t"))
        assert raw.base64() == base64.b64encode(bytes(raw))
        assert len(raw) > 30_000


@settings(max_examples=3000, deadline=None)
@given(
    text=st.text(
        st.sampled_from("aZ .-_=?\"'()<>,;:@\\é독자가🎉\u3000\u00a0\u2028\x85\t"), max_size=70
    ),
    field=st.sampled_from(["To", "From", "Reply-To", "Subject", "List-Id"]),
)
def test_a_name_in_one_encoded_word_is_what_header_makes(text: str, field: str) -> None:
    """Short names skip `email.header.Header`; the header must be the one it writes."""
    charset = "us-ascii" if text.isascii() else "utf-8"
    assert _encode_words(text, field) == Header(text, charset, header_name=field).encode(
        linesep="\r\n"
    )
