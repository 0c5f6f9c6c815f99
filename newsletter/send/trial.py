"""Looking before sending: a dry run and a single test copy, both outside the send log.

A list owner wants to see the real message in a real inbox before thousands get
it; neither of these touches the campaign, so they can be used any number of times.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from newsletter import db
from newsletter.audience.addresses import parse_address
from newsletter.audience.store import SubscriberStore
from newsletter.audience.tokens import secret_key
from newsletter.config import Settings, database_url
from newsletter.model import Edition
from newsletter.send.campaign import make_transport, message_template, unsubscribe_url
from newsletter.send.leases import ambiguity
from newsletter.send.message import Recipient, clean_header
from newsletter.send.sendlog import SendLog

SAMPLE_NAME = "sample.eml"


@dataclass(frozen=True)
class DryRun:
    recipients: int  # active subscribers
    would_send: int  # of them, those a `send` now would deliver to
    already_sent: int  # rows of this edition already sent
    ambiguous: int  # rows a dead process left `sending` (not resent by default)
    sample: Path | None
    html_bytes: int


def dry_run(settings: Settings, day: date, edition: Edition) -> DryRun:
    """Count who would get the edition and write one sample message; nothing is sent.

    Counting happens in the database, so a million subscribers cost a few queries,
    not a million objects.
    """
    store = SubscriberStore.open(settings)
    secret = secret_key(transport=settings.sender.transport, data_dir=settings.data_dir)
    template = message_template(settings, edition)
    log = SendLog(db.ready(database_url(settings)), day.isoformat())
    counts = log.counts()
    recipients = store.count_by_status()["active"]
    sample: Path | None = None
    first = store.list(status="active", limit=1)
    if first:
        subscriber = first[0]
        recipient = Recipient(
            subscriber.email, subscriber.name, unsubscribe_url(settings, secret, subscriber.id)
        )
        sample = settings.edition_dir(day) / SAMPLE_NAME
        sample.parent.mkdir(parents=True, exist_ok=True)
        sample.write_bytes(template.build(recipient))
    return DryRun(
        recipients=recipients,
        would_send=log.would_send(),
        already_sent=counts["sent"],
        ambiguous=ambiguity(log)[0],
        sample=sample,
        html_bytes=len(edition.html.encode("utf-8")),
    )


def send_test_copy(settings: Settings, day: date, edition: Edition, address: str) -> str:
    """Send one copy marked [TEST] to `address` through the configured transport.

    InvalidAddress for something that is not one plain address; a DeliveryError
    from the transport otherwise (no retries: the person is watching).
    """
    clean_header(address, "--to")
    address = parse_address(address).email
    store = SubscriberStore.open(settings)
    subscriber = store.get(address)
    secret = secret_key(transport=settings.sender.transport, data_dir=settings.data_dir)
    # a non-subscriber gets a link that the web app rejects neutrally (id 0 never exists)
    url = unsubscribe_url(settings, secret, subscriber.id if subscriber else 0)
    test_edition = replace(edition, subject=f"[TEST] {edition.subject}")
    raw = message_template(settings, test_edition).build(
        Recipient(address, subscriber.name if subscriber else "", url)
    )
    transport = make_transport(settings, day)
    try:
        return transport.send(raw, recipient=address, tags={"edition": f"{day}-test"})
    finally:
        transport.close()
