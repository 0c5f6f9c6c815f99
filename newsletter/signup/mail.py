"""The confirmation message: one per signup, built with the standard library's `email`.

Speed does not matter here (the edition's per-recipient builder exists for
that); correctness does: RFC 2047 for Korean names and subjects, an IDN domain
in its punycode form, and no header value with a line break (checked by
`clean_header` before the stdlib would refuse it with a less useful error).
It is a transactional message, not a list message: no List-Unsubscribe, and
`Auto-Submitted` so that auto-responders stay quiet.

It goes, from our domain, to whatever address a stranger typed into the form, so
it carries no text that stranger chose: no name in the greeting or in `To:`
(a "name" of `URGENT: your account is locked, visit …` would otherwise be a
phishing line under our DKIM signature). The name is stored with the signup and
is the owner's once they confirm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from newsletter.config import Identity, NewsletterSettings
from newsletter.i18n import catalog
from newsletter.render.pages import render_page
from newsletter.render.text import wrap
from newsletter.send.message import ascii_address, clean_header


@dataclass(frozen=True)
class Confirmation:
    email: str
    url: str
    expires: datetime  # aware


def promise(newsletter: NewsletterSettings) -> str:
    """The one line that says what arrives and when."""
    return catalog(newsletter.language).text(
        "signup.promise", time=newsletter.send_time, zone=newsletter.timezone, list=newsletter.name
    )


def confirmation_message(
    identity: Identity, newsletter: NewsletterSettings, confirmation: Confirmation, now: datetime
) -> bytes:
    """The complete message (CRLF, 7-bit clean) for one confirmation, from `identity`'s
    sender; `newsletter` says when the edition comes."""
    said = catalog(newsletter.language).table("signup")
    url = clean_header(confirmation.url, "confirmation URL")
    local_expiry = confirmation.expires.astimezone(ZoneInfo(newsletter.timezone))
    lines = {
        "hello": said["mail_hello"],
        "intro": said["mail_intro"].format(list=newsletter.name),
        "promise": promise(newsletter),
        "button": said["mail_button"],
        "expires": said["mail_expires"].format(
            expires=f"{local_expiry:%Y-%m-%d %H:%M} ({newsletter.timezone})"
        ),
        "ignore": said["mail_ignore"],
    }
    text = (
        f"{lines['hello']}\n\n{wrap(lines['intro'])}\n{wrap(lines['promise'])}\n\n"
        f"{lines['button']}:\n{url}\n\n{wrap(lines['expires'])}\n\n{wrap(lines['ignore'])}\n"
    )
    page = render_page(
        "confirmation-email.html.j2",
        language=newsletter.language,
        list_name=newsletter.name,
        url=url,
        **lines,
    )
    subject = said["subject"].format(list=newsletter.name)
    return transactional_message(identity, confirmation.email, subject, text, page, now)


def transactional_message(
    identity: Identity, to: str, subject: str, text: str, html: str, now: datetime
) -> bytes:
    """One message to one person from the list's sender (no List-* headers: not list mail)."""
    display, sender = parseaddr(clean_header(identity.sender, "sender.from"))
    if "@" not in sender:
        raise ValueError(f"sender.from has no valid address: {identity.sender!r}")
    recipient = ascii_address(clean_header(to, "recipient"))
    local, _, domain = recipient.rpartition("@")

    message = EmailMessage(policy=SMTP)
    message["From"] = Address(display, addr_spec=sender)
    message["To"] = Address("", local, domain)
    message["Subject"] = clean_header(subject, "subject")
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[1])
    message["Auto-Submitted"] = "auto-generated"
    if identity.reply_to:
        message["Reply-To"] = clean_header(identity.reply_to, "sender.reply_to")
    # quoted-printable keeps English readable in an .eml; it triples Hangul, base64 does not
    encoding = "quoted-printable" if text.isascii() else "base64"
    message.set_content(text, cte=encoding)
    message.add_alternative(html, subtype="html", cte=encoding)
    return message.as_bytes()
