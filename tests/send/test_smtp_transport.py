"""The SMTP transport against a real SMTP server on loopback: replies, drops, TLS, login."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from newsletter.send.transports.base import (
    AccountError,
    AmbiguousError,
    PermanentError,
    TransientError,
)
from newsletter.send.transports.smtp import SmtpOptions, SmtpTransport
from tests.fixtures.network import free_port
from tests.fixtures.smtp import PASSWORD, USERNAME, Certificates, SmtpServer, start_server

SENDER = "briefing@example.com"


def raw(recipient: str) -> bytes:
    return (
        f"From: {SENDER}\r\nTo: {recipient}\r\nSubject: hi\r\n"
        f"Message-ID: <m-{recipient}>\r\n\r\n.a line starting with a dot\r\nbye\r\n"
    ).encode("ascii")


@pytest.fixture
def transport(smtp_server: SmtpServer) -> Iterator[SmtpTransport]:
    made = SmtpTransport(
        SmtpOptions(host=smtp_server.host, port=smtp_server.port, security="none", connections=2),
        sender=SENDER,
    )
    yield made
    made.close()


def send(transport: SmtpTransport, recipient: str) -> str:
    return transport.send(raw(recipient), recipient=recipient, tags={})


def test_messages_arrive_intact_over_a_few_kept_alive_connections(
    smtp_server: SmtpServer, transport: SmtpTransport
) -> None:
    recipients = [f"r{i}@example.net" for i in range(40)]
    ids: list[str] = []
    lock = threading.Lock()

    def worker(chunk: list[str]) -> None:
        for recipient in chunk:
            message_id = send(transport, recipient)
            with lock:
                ids.append(message_id)

    threads = [threading.Thread(target=worker, args=(recipients[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert smtp_server.copies == dict.fromkeys(recipients, 1)
    assert smtp_server.recorder.sessions <= 2  # `connections` bounds them; each is reused
    assert len(set(ids)) == 40 and all(i.startswith("queued-") for i in ids)
    assert smtp_server.messages[0] == raw(smtp_server.recorder.accepted[0][0])  # dot unstuffed


@pytest.mark.parametrize(
    "body",
    [
        b"no dot at the start of any line\r\n",
        b".\r\n..\r\n.\r\nmiddle\r\n...three\r\n",  # a lone dot would end DATA early
        b"ends without a line break",
    ],
)
def test_the_body_arrives_byte_for_byte_whatever_its_dots(
    smtp_server: SmtpServer, transport: SmtpTransport, body: bytes
) -> None:
    message = b"Subject: dots\r\nMessage-ID: <dots@example.com>\r\n\r\n" + body
    transport.send(message, recipient="dots@example.net", tags={})

    expected = message if message.endswith(b"\r\n") else message + b"\r\n"
    assert smtp_server.messages == [expected]


def test_an_idn_domain_travels_as_punycode_and_a_forged_address_is_refused_alone(
    smtp_server: SmtpServer, transport: SmtpTransport
) -> None:
    transport.send(raw("reader@xn--bcher-kva.de"), recipient="reader@bücher.de", tags={})
    with pytest.raises(PermanentError, match="cannot go into RCPT TO"):
        send(transport, "a@example.net>\r\nRCPT TO:<b@example.net")
    with pytest.raises(PermanentError, match="cannot go into RCPT TO"):
        # a non-ASCII local part needs SMTPUTF8
        transport.send(raw("x@example.kr"), recipient="읽는이@example.kr", tags={})
    send(transport, "next@example.net")

    assert smtp_server.copies == {"reader@xn--bcher-kva.de": 1, "next@example.net": 1}


def test_a_refused_recipient_fails_alone_and_the_connection_goes_on(
    smtp_server: SmtpServer, transport: SmtpTransport
) -> None:
    smtp_server.faults.rcpt["gone@example.net"] = "550 5.1.1 <gone@example.net>: no such user"
    smtp_server.faults.data["spam@example.net"] = ["554 5.7.1 message refused as spam"]

    with pytest.raises(PermanentError, match=r"550 5\.1\.1"):
        send(transport, "gone@example.net")
    with pytest.raises(PermanentError, match=r"end of DATA: 554"):
        send(transport, "spam@example.net")
    send(transport, "fine@example.net")

    assert smtp_server.copies == {"fine@example.net": 1}
    assert smtp_server.recorder.sessions == 1


@pytest.mark.parametrize(
    ("where", "reply"),
    [
        ("rcpt", "450 4.2.1 mailbox busy"),
        ("data", "451 4.3.0 try again later"),
        ("data", "454 4.7.0 Throttling failure: Maximum sending rate exceeded."),
        ("data", "421 4.3.2 service shutting down"),
    ],
)
def test_temporary_replies_are_transient(
    smtp_server: SmtpServer, transport: SmtpTransport, where: str, reply: str
) -> None:
    if where == "rcpt":
        smtp_server.faults.rcpt["later@example.net"] = reply
    else:
        smtp_server.faults.data["later@example.net"] = [reply]

    with pytest.raises(TransientError, match=reply.split()[0]):
        send(transport, "later@example.net")
    smtp_server.faults.rcpt.clear()
    send(transport, "later@example.net")  # the retry works (after 421, on a new connection)

    assert smtp_server.copies == {"later@example.net": 1}


def test_a_refused_sender_or_the_daily_quota_stops_everything(
    smtp_server: SmtpServer, transport: SmtpTransport
) -> None:
    smtp_server.faults.mail = "550 5.7.1 sender not allowed"
    with pytest.raises(AccountError, match=r"refuses the sender briefing@example\.com"):
        send(transport, "a@example.net")
    smtp_server.faults.mail = ""
    smtp_server.faults.data["b@example.net"] = [
        "454 Throttling failure: Daily message quota exceeded."
    ]
    with pytest.raises(AccountError, match="Daily message quota"):
        send(transport, "b@example.net")


def test_a_connection_lost_after_the_message_is_ambiguous_and_not_retried_here(
    smtp_server: SmtpServer, transport: SmtpTransport
) -> None:
    smtp_server.faults.drop_after_data.add("maybe@example.net")

    with pytest.raises(AmbiguousError, match="after the message was sent"):
        send(transport, "maybe@example.net")
    send(transport, "next@example.net")  # a new connection replaces the dropped one

    assert smtp_server.recorder.dropped == ["maybe@example.net"]
    assert smtp_server.copies == {"next@example.net": 1}


def test_a_connection_the_server_closed_while_idle_is_replaced_without_a_failure() -> None:
    server, controller = start_server()
    transport = SmtpTransport(
        SmtpOptions(host=server.host, port=server.port, security="none"), sender=SENDER
    )
    try:
        send(transport, "first@example.net")
        controller.stop()  # the relay restarts: the pooled connection is dead
        again, controller = start_server(port=server.port)
        send(transport, "second@example.net")
        assert again.copies == {"second@example.net": 1}
    finally:
        transport.close()
        controller.stop()


def test_a_421_to_mail_on_a_kept_connection_is_answered_with_a_new_one(
    smtp_server: SmtpServer, transport: SmtpTransport
) -> None:
    send(transport, "first@example.net")
    smtp_server.faults.mail_once.append("421 4.4.2 idle too long, closing")
    send(transport, "second@example.net")  # no failure: a fresh session took it at once
    assert smtp_server.copies == {"first@example.net": 1, "second@example.net": 1}
    assert smtp_server.recorder.sessions == 2


def test_nothing_listening_is_transient() -> None:
    transport = SmtpTransport(
        SmtpOptions(host="127.0.0.1", port=free_port(), security="none"), sender=SENDER
    )
    with pytest.raises(TransientError, match="cannot connect"):
        transport.quota()


def test_starttls_with_a_private_ca_is_refused_unless_trusted(
    certificates: Certificates,
) -> None:
    server, controller = start_server(starttls=certificates.server_context(), auth=True)
    options = SmtpOptions(host=server.host, port=server.port, username=USERNAME, password=PASSWORD)
    try:
        refused = SmtpTransport(options, sender=SENDER)
        with pytest.raises(AccountError, match=r"certificate is not trusted.*smtp\.ca_file"):
            refused.quota()
        assert server.copies == {}

        trusted = SmtpTransport(
            SmtpOptions(**{**vars(options), "ca_file": str(certificates.ca_file)}), sender=SENDER
        )
        trusted.quota()  # connects, upgrades, logs in
        send(trusted, "secure@example.net")
        trusted.close()
        assert server.copies == {"secure@example.net": 1}

        wrong = SmtpTransport(
            SmtpOptions(
                **{**vars(options), "ca_file": str(certificates.ca_file), "password": "nope"}
            ),
            sender=SENDER,
        )
        with pytest.raises(AccountError, match=f"refused the login of '{USERNAME}'"):
            wrong.quota()
    finally:
        controller.stop()


def test_implicit_tls_and_a_missing_starttls(certificates: Certificates) -> None:
    server, controller = start_server(implicit_tls=certificates.server_context())
    plain, plain_controller = start_server()
    try:
        tls = SmtpTransport(
            SmtpOptions(
                host=server.host,
                port=server.port,
                security="tls",
                ca_file=str(certificates.ca_file),
            ),
            sender=SENDER,
        )
        send(tls, "tls@example.net")
        tls.close()
        assert server.copies == {"tls@example.net": 1}

        expects_starttls = SmtpTransport(
            SmtpOptions(host=plain.host, port=plain.port, security="starttls"), sender=SENDER
        )
        with pytest.raises(AccountError, match="does not offer STARTTLS"):
            expects_starttls.quota()
    finally:
        controller.stop()
        plain_controller.stop()


def test_a_login_without_its_password_in_the_environment_stops_at_once(
    smtp_server: SmtpServer,
) -> None:
    transport = SmtpTransport(
        SmtpOptions(
            host=smtp_server.host, port=smtp_server.port, security="none", username="someone"
        ),
        sender=SENDER,
    )
    with pytest.raises(AccountError, match="password variable is empty"):
        transport.quota()


def test_ses_configuration_set_and_tags_travel_as_headers(smtp_server: SmtpServer) -> None:
    transport = SmtpTransport(
        SmtpOptions(host=smtp_server.host, port=smtp_server.port, security="none"),
        sender=SENDER,
        configuration_set="newsletter",
    )
    transport.send(raw("a@example.net"), recipient="a@example.net", tags={"edition": "2026-02-07"})
    transport.close()

    head = smtp_server.messages[0].split(b"\r\n\r\n", 1)[0].decode()
    assert "X-SES-CONFIGURATION-SET: newsletter\r\n" in head
    assert "X-SES-MESSAGE-TAGS: edition=2026-02-07\r\n" in head
