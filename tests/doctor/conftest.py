"""Real parts for `doctor`: moto in server mode as SES/SNS/STS, a feed server on
127.0.0.1, a SQLite list, and a config that points at all of them.

`account` builds the AWS side the way the README's "Going live" does — a domain
identity with DKIM, a MAIL FROM domain, a configuration set whose event
destination is an SNS topic with our https endpoint subscribed — one piece per
method, so each test can leave out exactly the piece it is about.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.network import free_port
from tests.fixtures.ses import REGION, MotoServer
from tests.fixtures.site import make_site

DEMO_FEED = Path(__file__).resolve().parents[2] / "examples" / "demo" / "feeds" / "techwire.xml"
BASE_URL = "https://news.example.com"
FEEDBACK_URL = BASE_URL + "/feedback/ses"
# The README's event destination: what suppression and `newsletter report` read (v1 names).
REPORTED_EVENTS = (
    "send",
    "reject",
    "bounce",
    "complaint",
    "delivery",
    "deliveryDelay",
    "renderingFailure",
)


class FeedServer:
    """Serves one real RSS file at /feed.xml (with an ETag) and an HTML page at /page."""

    def __init__(self) -> None:
        body = DEMO_FEED.read_bytes()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/feed.xml":
                    if self.headers.get("If-None-Match") == '"v1"':
                        self._reply(304, b"", "application/rss+xml")
                    else:
                        self._reply(200, body, "application/rss+xml")
                elif self.path == "/page":
                    self._reply(200, b"<!doctype html><html><title>Hi</title></html>", "text/html")
                else:
                    self._reply(404, b"not found", "text/plain")

            def _reply(self, status: int, data: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    try:
        yield server
    finally:
        server.close()


closed_port = free_port  # bound, then released: nothing listens there


@dataclass
class Account:
    """The AWS side of a newsletter on the moto server, set up piece by piece."""

    moto: MotoServer
    topic_arn: str = ""
    created: list[str] = field(default_factory=list)

    def identity(self, domain: str = "example.com", *, dkim: bool = True) -> Account:
        extra: dict[str, Any] = {}
        if dkim:  # moto reports DKIM SUCCESS for an identity created with signing attributes
            extra["DkimSigningAttributes"] = {
                "DomainSigningSelector": "newsletter",
                "DomainSigningPrivateKey": "a2V5",
            }
        self.moto.client("sesv2").create_email_identity(EmailIdentity=domain, **extra)
        return self

    def mail_from(self, domain: str = "example.com") -> Account:
        self.moto.client("ses").set_identity_mail_from_domain(
            Identity=domain, MailFromDomain=f"mail.{domain}"
        )
        return self

    def configuration_set(self, name: str = "newsletter") -> Account:
        self.moto.client("sesv2").create_configuration_set(ConfigurationSetName=name)
        return self

    def sns_destination(self, name: str = "newsletter", events: tuple[str, ...] = ()) -> Account:
        sns = self.moto.client("sns")
        self.topic_arn = sns.create_topic(Name="ses-feedback")["TopicArn"]
        # moto lacks the v2 CreateConfigurationSetEventDestination; v1 stores the same thing.
        self.moto.client("ses").create_configuration_set_event_destination(
            ConfigurationSetName=name,
            EventDestination={
                "Name": "bounces-and-complaints",
                "Enabled": True,
                "MatchingEventTypes": list(events or ("bounce", "complaint")),
                "SNSDestination": {"TopicARN": self.topic_arn},
            },
        )
        return self

    def subscribe(self, protocol: str = "https", endpoint: str = FEEDBACK_URL) -> Account:
        self.moto.client("sns").subscribe(
            TopicArn=self.topic_arn, Protocol=protocol, Endpoint=endpoint
        )
        return self

    def complete(self) -> Account:
        """Everything the README's guide sets up."""
        return (
            self.identity()
            .mail_from()
            .configuration_set()
            .sns_destination(events=REPORTED_EVENTS)
            .subscribe()
        )


@pytest.fixture
def account(empty_aws: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Account:
    """An empty AWS account on the moto server, dummy credentials, a strong secret key."""
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", secrets.token_urlsafe(32))
    return Account(empty_aws)


@dataclass
class Site:
    """A newsletter folder: newsletter.toml + a SQLite list, pointing at moto and the feeds."""

    root: Path
    moto_url: str
    feeds: list[str]
    transport: str = "ses"
    configuration_set: str = "newsletter"
    database: str = ""
    base_url: str = BASE_URL
    sender: str = "Daily Briefing <briefing@example.com>"
    # the README's guide lists the feedback topic in the config; moto's default account id
    topic_arns: str = f"arn:aws:sns:{REGION}:123456789012:ses-feedback"
    smtp: dict[str, Any] = field(default_factory=dict)  # the [smtp] table
    feedback: dict[str, Any] = field(default_factory=dict)  # more [feedback] keys
    unsubscribe_mailbox: str = ""

    @property
    def config(self) -> Path:
        return self.root / "newsletter.toml"

    def write(self) -> Path:
        sender = {
            "from": self.sender,
            "transport": self.transport,
            "region": REGION,
            "endpoint_url": self.moto_url,
            "configuration_set": self.configuration_set or None,
            "max_rate": 1,
            "unsubscribe_mailbox": self.unsubscribe_mailbox or None,
        }
        make_site(
            self.root,
            newsletter={"name": "Doctor Test", "base_url": self.base_url},
            sender=sender,
            database={"url": self.database or "sqlite:///list.db"},
            collect={"allow_private_networks": True},  # the feed server is on 127.0.0.1
            feedback=({"topic_arns": self.topic_arns} if self.topic_arns else {}) | self.feedback,
            smtp=self.smtp or {},
            feeds=[{"url": url, "section": "tech"} for url in self.feeds],
        )
        return self.config

    def subscribe(self, *addresses: str) -> None:
        from newsletter.audience.store import SubscriberStore
        from newsletter.config import database_url, load_settings
        from newsletter.db import ready

        store = SubscriberStore(ready(database_url(load_settings(self.write()))))
        for address in addresses:
            store.add(address)


@pytest.fixture
def site(tmp_path: Path, moto_server: MotoServer, feed_server: FeedServer) -> Site:
    made = Site(tmp_path, moto_server.url, [feed_server.url("/feed.xml")])
    made.write()
    return made
