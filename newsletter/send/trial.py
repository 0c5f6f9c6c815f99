"""Looking before sending: a dry run and a single test copy, both outside the send log.

A list owner wants to see the real message in a real inbox before thousands get
it; neither of these touches the campaign, so they can be used any number of times.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from newsletter.audience.addresses import parse_address
from newsletter.audience.store import SubscriberStore
from newsletter.model import Edition
from newsletter.send.campaign import CampaignSetup, message_template, unsubscribe_url
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


def dry_run(setup: CampaignSetup, day: date, edition: Edition, sample: Path) -> DryRun:
    """Count who would get the edition and write one sample message to `sample` (when
    anybody is active); nothing is sent.

    Counting happens in the database, so a million subscribers cost a few queries,
    not a million objects.
    """
    store = SubscriberStore(setup.engine)
    template = message_template(setup.identity, edition)
    log = SendLog(setup.engine, day.isoformat())
    counts = log.counts()
    recipients = store.count_by_status()["active"]
    written: Path | None = None
    first = store.list(status="active", limit=1)
    if first:
        subscriber = first[0]
        url = unsubscribe_url(setup.identity, setup.secret, subscriber.id)
        sample.parent.mkdir(parents=True, exist_ok=True)
        sample.write_bytes(template.build(Recipient(subscriber.email, subscriber.name, url)))
        written = sample
    return DryRun(
        recipients=recipients,
        would_send=log.would_send(),
        already_sent=counts["sent"],
        ambiguous=ambiguity(log)[0],
        sample=written,
        html_bytes=len(edition.html.encode("utf-8")),
    )


def send_test_copy(setup: CampaignSetup, day: date, edition: Edition, address: str) -> str:
    """Send one copy marked [TEST] to `address` through the configured transport.

    InvalidAddress for something that is not one plain address; a DeliveryError
    from the transport otherwise (no retries: the person is watching).
    """
    clean_header(address, "--to")
    address = parse_address(address).email
    subscriber = SubscriberStore(setup.engine).get(address)
    # a non-subscriber gets a link that the web app rejects neutrally (id 0 never exists)
    url = unsubscribe_url(setup.identity, setup.secret, subscriber.id if subscriber else 0)
    test_edition = replace(edition, subject=f"[TEST] {edition.subject}")
    raw = message_template(setup.identity, test_edition).build(
        Recipient(address, subscriber.name if subscriber else "", url)
    )
    transport = setup.transport(day)
    try:
        return transport.send(raw, recipient=address, tags={"edition": f"{day}-test"})
    finally:
        transport.close()
