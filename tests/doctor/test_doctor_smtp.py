"""`doctor` with `sender.transport = "smtp"`: a session like a send's, against a real relay."""

from __future__ import annotations

import pytest

from tests.doctor.conftest import Site
from tests.doctor.test_doctor_live import doctor, line, status_of
from tests.fixtures.network import free_port
from tests.fixtures.smtp import PASSWORD, USERNAME, Certificates, start_server


def smtp_site(site: Site, **smtp: object) -> Site:
    site.transport = "smtp"
    site.smtp = {"host": "127.0.0.1", **smtp}
    site.write()
    return site


def test_a_reachable_relay_with_tls_and_login_passes(
    site: Site, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, controller = start_server(starttls=certificates.server_context(), auth=True)
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", PASSWORD)
    try:
        smtp_site(site, port=server.port, username=USERNAME, ca_file=str(certificates.ca_file))
        _code, output = doctor(site.config)
    finally:
        controller.stop()

    assert status_of(output, "smtp") == "ok", output
    assert f"STARTTLS verified, logged in as {USERNAME}" in line(output, "smtp")
    assert "skipped: transport is smtp" in line(output, "ses")
    assert f"smtp 127.0.0.1:{server.port} (starttls)" in line(output, "transport")


def test_an_untrusted_certificate_fails_and_names_ca_file(
    site: Site, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, controller = start_server(starttls=certificates.server_context(), auth=True)
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", PASSWORD)
    try:
        smtp_site(site, port=server.port, username=USERNAME)
        code, output = doctor(site.config)
    finally:
        controller.stop()

    assert code != 0
    assert status_of(output, "smtp") == "fail"
    assert "certificate is not trusted" in line(output, "smtp")


def test_a_wrong_password_and_a_missing_one_fail(
    site: Site, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, controller = start_server(starttls=certificates.server_context(), auth=True)
    try:
        smtp_site(site, port=server.port, username=USERNAME, ca_file=str(certificates.ca_file))
        monkeypatch.delenv("NEWSLETTER_SMTP_PASSWORD", raising=False)
        _code, missing = doctor(site.config)
        monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", "wrong")
        _code, wrong = doctor(site.config)
    finally:
        controller.stop()

    assert "NEWSLETTER_SMTP_PASSWORD is not set" in line(missing, "smtp login")
    assert status_of(wrong, "smtp") == "fail"
    assert f"refused the login of '{USERNAME}'" in line(wrong, "smtp")


def test_nothing_listening_fails(site: Site) -> None:
    smtp_site(site, port=free_port(), security="none")
    _code, output = doctor(site.config)
    assert status_of(output, "smtp") == "fail"
    assert "cannot connect to 127.0.0.1" in line(output, "smtp")
    assert "smtp security" not in output  # plain text on loopback is fine


@pytest.mark.parametrize(
    ("host", "local"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("relay.example.org", False)],
)
def test_only_loopback_may_go_without_tls_silently(host: str, local: bool) -> None:
    from newsletter.doctor.smtp import _loopback

    assert _loopback(host) is local
