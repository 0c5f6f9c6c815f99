"""The welcome mail: sent once, when a signup is confirmed, in the list's language.

A new reader has just pressed a button and will otherwise hear nothing until the
next morning; the welcome says the subscription worked, when the edition comes,
and links the latest edition so there is something to read now. It is sent
only on the confirmation that activates the address (a second press, or a
stale link, sends nothing) and carries the subscriber's own unsubscribe link.
Like the confirmation it greets nobody by name: the name was typed by whoever
filled in the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newsletter.config import Identity, NewsletterSettings
from newsletter.i18n import catalog
from newsletter.render.pages import render_page
from newsletter.render.text import wrap
from newsletter.signup.mail import promise, transactional_message


@dataclass(frozen=True)
class LatestEdition:
    """The newest public edition, as the welcome links it."""

    title: str
    url: str
    date_long: str


def welcome_message(
    identity: Identity,
    newsletter: NewsletterSettings,
    email: str,
    latest: LatestEdition | None,
    unsubscribe_url: str,
    now: datetime,
) -> bytes:
    """The complete welcome message for `email` (CRLF, 7-bit clean)."""
    said = catalog(newsletter.language).table("welcome")
    site = identity.public_url
    lines = {
        "hello": said["hello"],
        "intro": said["intro"].format(list=newsletter.name),
        "promise": promise(newsletter),
        "latest_intro": said["latest_intro"] if latest else said["no_edition"],
        "archive": said["archive"],
        "unsubscribe": said["unsubscribe"],
    }
    text = (
        f"{lines['hello']}\n\n{wrap(lines['intro'])}\n{wrap(lines['promise'])}\n\n"
        f"{wrap(lines['latest_intro'])}\n"
    )
    if latest is not None:
        text += f"{wrap(f'{latest.title} ({latest.date_long})')}\n{latest.url}\n"
    text += (
        f"\n{lines['archive']}: {site}/archive/\n\n-- \n{newsletter.name}\n"
        f"{lines['unsubscribe']}: {unsubscribe_url}\n"
    )
    html = render_page(
        "welcome-email.html.j2",
        language=newsletter.language,
        list_name=newsletter.name,
        accent=newsletter.accent_color,
        latest=latest,
        archive_url=f"{site}/archive/",
        unsubscribe_url=unsubscribe_url,
        postal_address=newsletter.postal_address,
        **lines,
    )
    subject = said["subject"].format(list=newsletter.name)
    return transactional_message(identity, email, subject, text, html, now)
