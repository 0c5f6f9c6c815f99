"""What the store hands out: subscribers, their events, and the vocabulary of statuses.

Plain records and checks, kept apart from the queries so that readers of the
rules (which status may follow which) find them in one short file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from newsletter.audience.addresses import InvalidAddress

STATUSES = ("pending", "active", "unsubscribed", "bounced", "complained")
RECEIVING = ("pending", "active")
SUPPRESSED = ("unsubscribed", "bounced", "complained")
SOURCES = (
    "cli",
    "import",
    "unsubscribe-link",
    "one-click",
    "mailto",
    "bounce",
    "complaint",
    "signup",
)
# Who may move a suppressed address back to receiving: the operator, or the person.
MAY_RESUBSCRIBE = ("cli", "signup")
# A column of this name in any table marks rows about one subscriber; `forget` erases them.
PERSON_COLUMN = "subscriber_id"


class ForgottenAddress(InvalidAddress):
    """The address was erased on request (`forget`); it may only come back by signing up."""


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    name: str
    status: str
    created: datetime
    updated: datetime
    attributes: dict = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "status": self.status,
            "created": self.created.isoformat(),
            "updated": self.updated.isoformat(),
            "attributes": self.attributes,
        }


@dataclass(frozen=True)
class Event:
    time: datetime
    status: str
    source: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time.isoformat(),
            "status": self.status,
            "source": self.source,
            "detail": self.detail,
        }


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (we store UTC); PostgreSQL aware ones."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def subscriber_from_row(row: Row[Any]) -> Subscriber:
    return Subscriber(
        id=row.id,
        email=row.email,
        name=row.name,
        status=row.status,
        created=utc(row.created),
        updated=utc(row.updated),
        attributes=dict(row.attributes or {}),
    )


def check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")


def check_source(source: str) -> None:
    if source not in SOURCES:
        raise ValueError(f"unknown event source {source!r}; expected one of {', '.join(SOURCES)}")
