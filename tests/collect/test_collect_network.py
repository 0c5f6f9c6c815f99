"""Feeds (and their redirects) may not reach our own network unless the config allows it."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest
from feedserver import FeedServer, Reply

from newsletter.collect.network import NetworkPolicy
from newsletter.config import ConfigError, parse_settings
from tests.fixtures.edge import collect_for


@pytest.fixture
def other_server():
    """A second publisher on another loopback address (127.0.0.2), so a policy can allow one."""
    server = FeedServer("127.0.0.2")
    yield server
    server.close()


def _report(result):
    (report,) = result.feeds
    return report


def test_loopback_feeds_are_refused_by_default(feed_server, make_settings, feeds):
    url = feed_server.route("/feed.xml", Reply(body=feeds.simple("a")))
    result = collect_for(
        make_settings([url], allow_private_networks=False), feeds.day, now=feeds.now
    )
    report = _report(result)
    assert report.status == "error" and not result.items
    assert report.reason == (
        "refused to connect to 127.0.0.1: a loopback address; "
        "set [collect] allow_private_networks to fetch from it"
    )
    assert feed_server.log == []  # not one byte was asked of it


def test_a_redirect_to_another_loopback_port_is_refused(
    feed_server, other_server, make_settings, feeds
):
    internal = feed_server.route("/admin.xml", Reply(body=feeds.simple("internal")))
    outside = other_server.route("/feed.xml", Reply(302, headers={"Location": internal}))
    only_the_publisher = ["127.0.0.2/32"]
    result = collect_for(
        make_settings([outside], allow_private_networks=only_the_publisher),
        feeds.day,
        now=feeds.now,
    )
    assert _report(result).reason.startswith("refused to connect to 127.0.0.1: a loopback")
    assert not result.items and feed_server.log == []
    assert other_server.requests("/feed.xml")  # the first hop was allowed


def test_the_option_allows_loopback_and_its_redirects(feed_server, make_settings, feeds):
    target = feed_server.route("/feed.xml", Reply(body=feeds.simple("a")))
    moved = feed_server.route("/old.xml", Reply(302, headers={"Location": target}))
    result = collect_for(
        make_settings([moved], allow_private_networks=True), feeds.day, now=feeds.now
    )
    assert _report(result).status == "ok" and len(result.items) == 3


def test_a_redirect_to_the_metadata_address_is_refused(other_server, make_settings, feeds):
    metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    outside = other_server.route("/feed.xml", Reply(301, headers={"Location": metadata}))
    settings = make_settings([outside], allow_private_networks=["127.0.0.2/32"])
    result = collect_for(settings, feeds.day, now=feeds.now)
    assert _report(result).reason.startswith(
        "refused to connect to 169.254.169.254: a link-local address"
    )


def test_a_host_name_is_checked_on_the_address_it_resolves_to(feed_server, make_settings, feeds):
    feed_server.route("/feed.xml", Reply(body=feeds.simple("a")))
    port = feed_server.httpd.server_address[1]
    settings = make_settings([f"http://localhost:{port}/feed.xml"], allow_private_networks=False)
    result = collect_for(settings, feeds.day, now=feeds.now)
    reason = _report(result).reason
    assert reason.startswith("refused to connect to localhost (") and "loopback" in reason
    assert feed_server.log == []


def test_a_name_rebound_after_the_check_still_reaches_the_checked_address(
    feed_server, make_settings, feeds, monkeypatch
):
    """DNS rebinding: the name answers an allowed address to the check and an internal one
    to any later lookup. The socket goes to the address that was checked, so the internal
    server (same port, on 127.0.0.1) is never asked."""
    port = feed_server.httpd.server_address[1]
    feed_server.route("/feed.xml", Reply(body=feeds.simple("internal")))
    publisher = FeedServer("127.0.0.2", port)  # the allowed address, on the same port
    publisher.route("/feed.xml", Reply(body=feeds.simple("public")))
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["127.0.0.2"])  # the first answer; every later one is 127.0.0.1

    def rebinding(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "rebind.test":
            return real_getaddrinfo(host, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        settings = make_settings(
            [f"http://rebind.test:{port}/feed.xml"], allow_private_networks=["127.0.0.2/32"]
        )
        result = collect_for(settings, feeds.day, now=feeds.now)
    finally:
        publisher.close()
    assert _report(result).status == "ok"
    assert result.items and all("public" in item.title for item in result.items)
    assert feed_server.log == []  # the internal server was never reached
    assert publisher.requests("/feed.xml")[0].headers["host"] == f"rebind.test:{port}"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("fd12:3456::1", "private"),  # unique-local
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
    ],
)
def test_non_public_ranges_are_refused(address, kind):
    policy = NetworkPolicy()
    assert policy.refusal(ipaddress.ip_address(address)) == f"a {kind} address"
    assert NetworkPolicy(allow_all=True).refusal(ipaddress.ip_address(address)) == ""


def test_public_addresses_and_allowed_networks_pass():
    assert NetworkPolicy().refusal(ipaddress.ip_address("93.184.215.14")) == ""
    assert NetworkPolicy().refusal(ipaddress.ip_address("2606:4700::1111")) == ""
    lan = NetworkPolicy.from_setting(["192.168.1.0/24"])
    assert lan.refusal(ipaddress.ip_address("192.168.1.20")) == ""
    assert lan.refusal(ipaddress.ip_address("192.168.2.20")) == "a private address"


def test_the_setting_is_checked_at_load(tmp_path: Path):
    base = {"newsletter": {"name": "T"}, "sender": {"from": "a@example.com"}}
    with pytest.raises(ConfigError, match=r"'10\.0\.0\.300/8' is not a network"):
        parse_settings(
            {**base, "collect": {"allow_private_networks": ["10.0.0.300/8"]}},
            tmp_path / "n.toml",
        )
    with pytest.raises(ConfigError, match="allow_private_networks must be"):
        parse_settings({**base, "collect": {"allow_private_networks": "yes"}}, tmp_path / "n.toml")
    settings = parse_settings(base, tmp_path / "n.toml")
    assert settings.collect.allow_private_networks is False
