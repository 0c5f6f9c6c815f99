"""`newsletter subscribers add --confirm`: the web signup's confirmation, sent by the operator.

The same rules as the signup form (`newsletter.signup.service`), with two
differences that suit an operator: the answer says what really happened (the
operator may know who is on the list), and a forgotten address is refused,
because only the person may bring it back.
"""

from __future__ import annotations

from newsletter.audience.store import InvalidAddress, SubscriberStore
from newsletter.audience.tokens import SecretKeyError
from newsletter.cli.common import EXIT_FAILED, EXIT_USAGE, fail
from newsletter.cli.output import say
from newsletter.runtime import Runtime
from newsletter.send.message import HeaderInjection, UnsupportedAddress
from newsletter.send.transports.base import DeliveryError
from newsletter.signup import service as signup


def send_confirmation(runtime: Runtime, store: SubscriberStore, email: str, name: str) -> None:
    settings = runtime.settings
    try:
        secret = runtime.secret
    except SecretKeyError as exc:
        fail(str(exc), EXIT_USAGE)
    rules = runtime.signup(store, secret)
    origin = signup.Origin(user_agent="newsletter subscribers add --confirm", via="cli")
    try:
        prepared = rules.prepare(email, name, source="cli", origin=origin)
    except InvalidAddress as exc:
        fail(f"{email!r} is not a valid address: {exc}", EXIT_USAGE)
    except (HeaderInjection, UnsupportedAddress) as exc:
        fail(str(exc), EXIT_USAGE)
    limits = rules.limits
    if prepared.outcome == signup.ALREADY_ACTIVE:
        say(f"already active, unchanged: {email}")
        return
    if prepared.outcome == signup.REFUSED:
        fail(
            f"{email} was erased on request (forget); only the person can sign up again, "
            f"at {settings.identity.public_url}/subscribe",
            EXIT_FAILED,
        )
    if prepared.outcome == signup.THROTTLED:
        minutes = int(limits.address_interval.total_seconds() // 60)
        fail(
            f"not sent: {email} got a confirmation less than {minutes} minutes ago, or "
            f"{limits.address_per_day} in the last 24 hours",
            EXIT_FAILED,
        )
    try:
        rules.deliver(prepared)
    except DeliveryError as exc:
        fail(f"confirmation to {email} not sent: {exc}", EXIT_FAILED)
    finally:
        rules.close()
    status = prepared.status or "pending"
    say(
        f"confirmation sent to {email} ({status}); active once they confirm "
        f"(the link works for {limits.confirm_max_age.days} days)"
    )
