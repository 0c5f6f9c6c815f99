"""`doctor` on the event types the configuration set publishes for `newsletter report`."""

from __future__ import annotations

from tests.doctor.conftest import REPORTED_EVENTS, Account, Site
from tests.doctor.test_doctor_live import doctor, line, status_of


def setup(account: Account, events: tuple[str, ...]) -> None:
    account.identity().mail_from().configuration_set().sns_destination(events=events).subscribe()


def test_every_reported_type_published_passes(account: Account, site: Site) -> None:
    setup(account, REPORTED_EVENTS)
    _code, output = doctor(site.config)
    assert status_of(output, "delivery events") == "ok", line(output, "delivery events")
    assert "delivery, reject, deliverydelay" in line(output, "delivery events")


def test_missing_types_are_named_with_their_v2_names(account: Account, site: Site) -> None:
    setup(account, ("bounce", "complaint", "delivery"))
    _code, output = doctor(site.config)
    found = line(output, "delivery events")
    assert status_of(output, "delivery events") == "warn"
    assert "gets delivery; missing: send, reject, deliverydelay, renderingfailure" in found
    assert "DELIVERY_DELAY, RENDERING_FAILURE" in output
    assert status_of(output, "bounce/complaint events") == "ok"


def test_opens_published_while_tracking_is_off_warn_as_a_privacy_matter(
    account: Account, site: Site
) -> None:
    setup(account, (*REPORTED_EVENTS, "open"))
    _code, output = doctor(site.config)
    found = line(output, "delivery events")
    assert status_of(output, "delivery events") == "warn"
    assert "publishes open events, but feedback.track_opens is off" in found


def track(site: Site) -> None:
    site.feedback = {"track_opens": True, "track_clicks": True}
    site.write()


def test_tracking_turned_on_wants_its_events(account: Account, site: Site) -> None:
    track(site)
    setup(account, (*REPORTED_EVENTS, "open"))
    _code, output = doctor(site.config)
    assert status_of(output, "delivery events") == "warn"
    assert "missing: click" in line(output, "delivery events")


def test_tracking_turned_on_and_published_passes(account: Account, site: Site) -> None:
    track(site)
    setup(account, (*REPORTED_EVENTS, "open", "click"))
    _code, output = doctor(site.config)
    assert status_of(output, "delivery events") == "ok", line(output, "delivery events")
    assert "open, click" in line(output, "delivery events")
