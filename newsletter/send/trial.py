"""Looking before sending: a dry run and a single test copy, both outside the send log.

A list owner wants to see the real message in a real inbox before thousands get
it; neither of these touches the campaign, so they can be used any number of times.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from newsletter.audience.store import SubscriberStore
from newsletter.audience.tokens import secret_key
from newsletter.config import Settings
from newsletter.model import Edition
from newsletter.send.campaign import make_transport, message_template, unsubscribe_url
from newsletter.send.message import Recipient, clean_header


@dataclass(frozen=True)
class DryRun:
    recipients: int
    sample: Path | None
    html_bytes: int


def dry_run(settings: Settings, day: date, edition: Edition) -> DryRun:
    """Count who would get the edition and write one sample message; nothing is sent."""
    store = SubscriberStore.open(settings)
    secret = secret_key(transport=settings.sender.transport, data_dir=settings.data_dir)
    template = message_template(settings, edition)
    count = 0
    sample: Path | None = None
    for subscriber in store.iter_active():
        if sample is None:
            recipient = Recipient(
                subscriber.email, subscriber.name, unsubscribe_url(settings, secret, subscriber.id)
            )
            sample = settings.edition_dir(day) / "sample.eml"
            sample.write_bytes(template.build(recipient))
        count += 1
    return DryRun(count, sample, len(edition.html.encode("utf-8")))


def send_test_copy(settings: Settings, day: date, edition: Edition, address: str) -> str:
    """Send one copy marked [TEST] to `address` through the configured transport."""
    clean_header(address, "--to")
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
