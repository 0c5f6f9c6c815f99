"""What the groups of checks learn and share during one `doctor` run.

Later checks depend on earlier answers (the SES quota check needs the number of
active subscribers, which needs a reachable database at the current schema), so
each group records what it found here and the next one reads it instead of
asking again — or says it was skipped because of the earlier failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Engine

from newsletter.audience.store import SubscriberStore
from newsletter.config import Settings
from newsletter.doctor.aws import Aws
from newsletter.environment import Applied
from newsletter.runtime import Runtime


@dataclass
class Context:
    runtime: Runtime  # built by the runner; doctor never asks it for `engine` (that migrates)
    env: Applied | None = None
    engine: Engine | None = None  # set once the database answered
    schema_current: bool = False  # the stored schema version is this program's
    counts: dict[str, int] | None = None  # subscribers per status, once read
    aws: Aws | None = None
    aws_problem: str = ""  # why AWS checks cannot run (no credentials, …)

    @property
    def settings(self) -> Settings:
        """The whole configuration: what doctor checks is the config itself."""
        return self.runtime.settings

    @property
    def uses_ses(self) -> bool:
        return self.settings.sender.transport == "ses"

    @property
    def delivers(self) -> bool:
        """Mail really leaves (SES or SMTP), so links must verify on the public web app."""
        return self.settings.sender.transport != "outbox"

    @property
    def active(self) -> int | None:
        """Active subscribers, or None when the database could not tell us."""
        return None if self.counts is None else self.counts.get("active", 0)

    def active_addresses(self) -> Iterator[str]:
        """Every active subscriber's address (only when the schema is current)."""
        if self.engine is None or not self.schema_current:
            return

        for subscriber in SubscriberStore(self.engine).iter_active():
            yield subscriber.email
