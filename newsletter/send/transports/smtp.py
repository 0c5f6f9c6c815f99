"""SMTP (SES's SMTP endpoint, Postmark, Mailgun, a company relay) through stdlib smtplib.

Connections are kept alive and reused for message after message: a TLS
handshake and a login cost more than a message. At most `connections` are open;
a worker takes an idle one (or opens one), runs one transaction (MAIL, RCPT,
DATA) and puts it back. A connection the server closed while idle is noticed at
MAIL — before anything was handed over — and replaced at once.

Replies map onto the campaign's classes: 4xx (421, 451, 454 …) is transient and
retried; 5xx at RCPT or at the end of DATA fails this recipient only; 5xx at
MAIL FROM, a refused login or an untrusted certificate stops the campaign. The
one case that cannot be classified is a connection lost after the whole message
was written and before the server's reply: the server may have queued it. That
is `AmbiguousError` — reported like the rows a crash leaves, never resent by itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newsletter.config import SmtpSettings
from newsletter.send.message import UnsupportedAddress, ascii_address
from newsletter.send.transports.base import (
    AccountError,
    AmbiguousError,
    DeliveryError,
    PermanentError,
    SendQuota,
    TransientError,
)

SECURITIES = ("starttls", "tls", "none")
# SES's SMTP interface words these as 454/554 replies: no retry can help.
_ACCOUNT_HINTS = (
    "daily message quota",
    "not verified",
    "sending paused",
    "account is paused",
)
_QUEUE_ID = re.compile(r"(?i)\b(?:ok|queued as)\b[:\s]+(?:queued as\s+)?<?([^\s<>]+)>?")


@dataclass(frozen=True)
class SmtpOptions:
    """Where and how to connect; `password` comes from the environment, never the file."""

    host: str
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = ""
    connections: int = 4
    ca_file: str = ""
    timeout: float = 30.0
    max_per_day: int | None = None

    @classmethod
    def from_config(cls, smtp: SmtpSettings, root: Path) -> SmtpOptions:
        """The `[smtp]` table, its CA file resolved against the config's folder, and the
        password read from the variable `smtp.password_env` names."""
        ca_file = str(root / Path(smtp.ca_file).expanduser()) if smtp.ca_file else ""
        return cls(
            host=smtp.host,
            port=smtp.port,
            security=smtp.security,
            username=smtp.username,
            password=os.environ.get(smtp.password_env, ""),
            connections=smtp.connections,
            ca_file=ca_file,
            timeout=smtp.timeout,
            max_per_day=smtp.max_per_day or None,
        )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class SmtpTransport:
    name = "smtp"

    def __init__(
        self,
        options: SmtpOptions,
        *,
        sender: str,
        configuration_set: str = "",
        sent_last_24h: Callable[[], int] = lambda: 0,
    ) -> None:
        if options.security not in SECURITIES:
            raise ValueError(f"unknown smtp security {options.security!r}")
        self.options = options
        self.sender = sender
        self.configuration_set = configuration_set
        self._sent_last_24h = sent_last_24h
        self._slots = threading.BoundedSemaphore(options.connections)
        self._idle: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self._context: ssl.SSLContext | None = None

    def send(self, raw: bytes, *, recipient: str, tags: dict[str, str]) -> str:
        if self.configuration_set:
            raw = _ses_headers(self.configuration_set, tags) + raw
        closed = f"{self.options.address} closed the connection before MAIL FROM"
        with self._slots:
            connection, reused = self._checkout()
            try:
                return self._run(connection, raw, recipient)
            except _Stale:
                if not reused:
                    raise TransientError(closed) from None
            try:  # it had been idle too long: a fresh one, at once
                return self._run(self._connect(), raw, recipient)
            except _Stale:
                raise TransientError(closed) from None

    def _run(self, connection: smtplib.SMTP, raw: bytes, recipient: str) -> str:
        """One transaction; afterwards the connection is idle again, or closed when unusable."""
        try:
            message_id = self._transaction(connection, raw, recipient)
        except _Dropped as exc:
            _discard(connection)
            raise exc.error from None
        except DeliveryError:  # a refused transaction, reset: the connection is fine
            self._checkin(connection)
            raise
        except BaseException:  # _Stale, or a bug
            _discard(connection)
            raise
        self._checkin(connection)
        return message_id

    def quota(self) -> SendQuota:
        """No quota API: the configured daily limit against what the send log sent.

        Opens (and keeps) the first connection, so a wrong password or an untrusted
        certificate stops the campaign before anything is claimed.
        """
        with self._slots:
            connection, _reused = self._checkout()
            self._checkin(connection)
        limit = self.options.max_per_day
        return SendQuota(
            max_rate=None,
            max_24h=limit,
            sent_24h=self._sent_last_24h(),
            source=f"smtp {self.options.address} (no quota API"
            + (f"; smtp.max_per_day {limit:,})" if limit else ")"),
        )

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                _discard(connection)

    def connect(self) -> smtplib.SMTP:
        """A new connection, greeted, encrypted as configured and logged in (for `doctor`)."""
        return self._connect()

    # -- connections ---------------------------------------------------------------

    def _checkout(self) -> tuple[smtplib.SMTP, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._connect(), False

    def _checkin(self, connection: smtplib.SMTP) -> None:
        with self._lock:
            self._idle.append(connection)

    def _tls(self) -> ssl.SSLContext:
        """Verification on (hostname and chain); `ca_file` replaces the system's CAs."""
        if self._context is None:
            try:
                self._context = ssl.create_default_context(cafile=self.options.ca_file or None)
            except (OSError, ssl.SSLError) as exc:
                raise AccountError(
                    f"smtp.ca_file {self.options.ca_file}: cannot read it as PEM ({exc})"
                ) from None
        return self._context

    def _connect(self) -> smtplib.SMTP:
        options = self.options
        where = options.address
        connection: smtplib.SMTP | None = None
        try:
            local = socket.gethostname()  # not getfqdn(): a reverse DNS lookup per connection
            if options.security == "tls":
                connection = smtplib.SMTP_SSL(
                    options.host,
                    options.port,
                    local_hostname=local,
                    timeout=options.timeout,
                    context=self._tls(),
                )
            else:
                connection = smtplib.SMTP(
                    options.host, options.port, local_hostname=local, timeout=options.timeout
                )
            connection.ehlo()
            if options.security == "starttls":
                if not connection.has_extn("starttls"):
                    raise AccountError(
                        f'{where} does not offer STARTTLS: set smtp.security = "tls" for '
                        'port 465, or "none" only for a relay on a trusted network'
                    )
                connection.starttls(context=self._tls())
                connection.ehlo()
            if options.username:
                if not options.password:
                    raise AccountError(
                        f"smtp.username is set but the password variable is empty: set it "
                        f"in the environment or .env ({where})"
                    )
                connection.login(options.username, options.password)
            return connection
        except DeliveryError:
            _discard(connection)
            raise
        except ssl.SSLCertVerificationError as exc:
            _discard(connection)
            raise AccountError(
                f"{where}: the server's certificate is not trusted ({exc.verify_message}); "
                "set smtp.ca_file to the CA that signed it"
            ) from None
        except ssl.SSLError as exc:
            _discard(connection)
            raise AccountError(
                f"{where}: TLS failed ({exc.reason or exc}); check smtp.security and smtp.port "
                "(465 is tls, 587 is starttls)"
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            _discard(connection)
            raise AccountError(
                f"{where} refused the login of {options.username!r}: {_reply(exc)}"
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            _discard(connection)
            raise AccountError(f"{where}: {exc} (login needs AUTH, usually after TLS)") from None
        except smtplib.SMTPResponseException as exc:
            _discard(connection)
            line = f"{where} refused the session: {exc.smtp_code} {_reply(exc)}"
            raise (TransientError(line) if exc.smtp_code < 500 else AccountError(line)) from None
        except (OSError, smtplib.SMTPException) as exc:
            _discard(connection)
            raise TransientError(f"cannot connect to {where}: {exc}") from None

    # -- one message -----------------------------------------------------------------

    def _transaction(self, connection: smtplib.SMTP, raw: bytes, recipient: str) -> str:
        """MAIL, RCPT, DATA; a failing reply is reset (RSET) so the connection stays usable."""
        sender, path = _path(self.sender), _path(recipient)
        if sender is None:
            raise AccountError(f"the sender {self.sender!r} cannot go into MAIL FROM")
        if path is None:
            raise PermanentError(f"{recipient!r} cannot go into RCPT TO")
        try:
            connection.putcmd("mail", f"FROM:{sender}")
            code, reply = connection.getreply()
        except smtplib.SMTPServerDisconnected:
            raise _Stale() from None
        if code == 421:  # closing an idle session: like a dropped one, nothing was sent
            raise _Stale()
        if code != 250:
            self._refused(connection, "MAIL FROM", code, reply, account=True)
        try:
            connection.putcmd("rcpt", f"TO:{path}")
            code, reply = connection.getreply()
            if code not in (250, 251):
                self._refused(connection, f"RCPT TO <{recipient}>", code, reply)
            connection.putcmd("data")
            code, reply = connection.getreply()
            if code != 354:
                self._refused(connection, "DATA", code, reply)
            connection.send(_data(raw))
        except smtplib.SMTPServerDisconnected as exc:  # the message was not complete: not sent
            raise _Dropped(TransientError(f"{self.options.address} dropped: {exc}")) from None
        try:
            code, reply = connection.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            raise _Dropped(
                AmbiguousError(
                    f"{self.options.address} dropped the connection after the message was "
                    f"sent, before confirming it ({exc})"
                )
            ) from None
        if code != 250:
            self._refused(connection, "end of DATA", code, reply)
        return _message_id(reply, raw)

    def _refused(
        self,
        connection: smtplib.SMTP,
        stage: str,
        code: int,
        reply: bytes,
        *,
        account: bool = False,
    ) -> None:
        text = reply.decode("utf-8", "replace").replace("\r", " ").replace("\n", " ")
        line = f"{stage}: {code} {text}"
        if code == 421:  # the server closes the session: reconnect on the next try
            raise _Dropped(TransientError(line))
        if code == 530 or code == 535 or any(h in text.lower() for h in _ACCOUNT_HINTS):
            error: DeliveryError = AccountError(line)
        elif 400 <= code < 500:
            error = TransientError(line)
        elif account:
            error = AccountError(f"{self.options.address} refuses the sender {self.sender}: {line}")
        else:
            error = PermanentError(line)
        try:
            connection.rset()
        except (smtplib.SMTPException, OSError):
            raise _Dropped(error) from None
        raise error


class _Stale(Exception):
    """A reused connection was closed by the server before this transaction began."""


class _Dropped(Exception):
    """The connection is unusable after `error`: discard it, then raise `error`."""

    def __init__(self, error: DeliveryError) -> None:
        super().__init__(str(error))
        self.error = error


def _ses_headers(configuration_set: str, tags: dict[str, str]) -> bytes:
    """What SES's SMTP interface reads instead of the API's ConfigurationSetName and EmailTags
    (and strips before delivery): without them no delivery or bounce event names the edition."""
    lines = f"X-SES-CONFIGURATION-SET: {_header_value(configuration_set)}\r\n"
    if tags:
        pairs = ", ".join(f"{_header_value(k)}={_header_value(v)}" for k, v in tags.items())
        lines += f"X-SES-MESSAGE-TAGS: {pairs}\r\n"
    return lines.encode("ascii", "replace")


def _header_value(text: str) -> str:
    """SES tag names and values allow letters, digits, `_ - . @`; anything else becomes `_`."""
    return re.sub(r"[^A-Za-z0-9_.@-]", "_", text)


def _path(address: str) -> str | None:
    """`<address>` for MAIL FROM / RCPT TO (an IDN domain in its punycode form), or None
    when it cannot go into the command.

    Written here, not by smtplib's mail()/rcpt(): their quoteaddr parses every bare
    address with email.utils again (40 µs a message, a twentieth of the client's CPU),
    and a non-ASCII domain made them raise UnicodeEncodeError. Both addresses are bare
    already: the sender from `sender.from`, the recipient as the list stores it."""
    if not address.isascii():
        try:
            address = ascii_address(address)
        except UnsupportedAddress:
            return None
    if any(c in address for c in "<>\r\n\0"):
        return None
    return f"<{address}>"


def _data(raw: bytes) -> bytes:
    """The DATA payload: lines starting with "." doubled (RFC 5321 4.5.2), then the end marker.

    The message builder's lines never start with a dot (headers, base64, MIME
    boundaries), so one `find` replaces the multiline regex that cost 0.7 ms per
    58 KB message; a message that has such lines is stuffed by `replace` on its CRLFs.
    """
    if raw.startswith(b".") or raw.find(b"\n.") >= 0:
        raw = (b"." if raw.startswith(b".") else b"") + raw.replace(b"\n.", b"\n..")
    if not raw.endswith(b"\r\n"):
        return raw + b"\r\n.\r\n"
    return raw + b".\r\n"


def _discard(connection: smtplib.SMTP | None) -> None:
    if connection is None:
        return
    with contextlib.suppress(OSError):
        connection.close()


def _reply(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return text.replace("\r", " ").replace("\n", " ")


def _message_id(reply: bytes, raw: bytes) -> str:
    """The server's id for the message (SES: its message id; Postfix: the queue id),
    or our own Message-ID header when the reply names none."""
    match = _QUEUE_ID.search(reply.decode("utf-8", "replace"))
    if match:
        return match.group(1)[:200]
    header = re.search(rb"(?im)^Message-ID:\s*(\S+)", raw[:4096])
    return header.group(1).decode("ascii", "replace")[:200] if header else ""
