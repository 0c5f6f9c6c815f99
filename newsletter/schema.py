"""Every table of the one database, declared here on one `MetaData`.

One SQLite file — or one PostgreSQL database when a list outgrows it — holds
the whole state of a newsletter, and a backup is one file or one `pg_dump`.
Declaring every table in one place means the schema a database gets does not
depend on which modules a command happened to import: `db.ensure_schema`
creates all of it, and `migrations` upgrades databases made by older versions.

A change to a table's shape needs a migration (`newsletter/migrations/vNNNN_*.py`)
for databases that already exist; a new table does not (it is created on first
use). Importing this module imports SQLAlchemy: the CLI imports it only inside
the commands that touch the database, so `newsletter --help` stays fast.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from newsletter.migrations import version_table

metadata = MetaData()

schema_version: Table = version_table(metadata)

# -- audience --------------------------------------------------------------------------
# `subscribers.email_key` carries the uniqueness (see `audience.addresses`); an index on
# (status, id) serves both the per-status counts and the keyset walk over active
# subscribers that a send does. Events are never updated, only appended; they go away
# only with their subscriber, through `forget`. Tombstones keep a salted hash of a
# forgotten address so an old CSV cannot bring the person back.

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("email_key", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
    Column("attributes", JSON, nullable=True),
    Index("ix_subscribers_status_id", "status", "id"),
    # Never reuse the id of a forgotten subscriber: old unsubscribe links carry ids.
    sqlite_autoincrement=True,
)

subscriber_events = Table(
    "subscriber_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "subscriber_id",
        Integer,
        ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("source", String(32), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_subscriber_events_subscriber", "subscriber_id", "id"),
)

subscriber_tombstones = Table(
    "subscriber_tombstones",
    metadata,
    Column("email_hash", String(64), primary_key=True),
    Column("forgotten", DateTime(timezone=True), nullable=False),
)

# -- collect ---------------------------------------------------------------------------
# The feed cache (see `collect.cache`): validators, the last good entries and first-seen
# times per feed, and the feed's failure streak.

feed_cache = Table(
    "collect_feed_cache",
    metadata,
    Column("feed", String(2048), primary_key=True),  # the configured URL or resolved path
    Column("format", Integer, nullable=False),  # collect.stored.FORMAT; the cache always sets it
    Column("etag", Text, nullable=False, default=""),
    Column("last_modified", Text, nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("entries", LargeBinary, nullable=True),
    Column("first_seen", Text, nullable=False, default="{}"),
    Column("fetched_at", Float, nullable=True),  # last 200 (POSIX seconds)
    Column("checked_at", Float, nullable=True),  # last request of any outcome
    Column("retry_until", Float, nullable=True),  # Retry-After, absolute
    # Health: runs in a row that ended in an error, and when that streak began (v0003).
    Column("failures", Integer, nullable=False, default=0, server_default="0"),
    Column("failing_since", Float, nullable=True),
)

# -- brief -----------------------------------------------------------------------------
# Model replies (see `brief.writers.cache`): one validated reply per request hash (v0004).

reply_cache = Table(
    "brief_reply_cache",
    metadata,
    Column("key", String(64), primary_key=True),  # sha256 hex of the request
    Column("model", String(300), nullable=False),  # provider/model, for people reading it
    Column("reply", Text, nullable=False),  # the reply's JSON object
    Column("input_tokens", Integer, nullable=False, default=0),
    Column("output_tokens", Integer, nullable=False, default=0),
    Column("created", DateTime(timezone=True), nullable=False),
)

# -- articles --------------------------------------------------------------------------
# Article pages (see `articles.cache`): validators and extracted text by URL (v0005).

article_cache = Table(
    "article_cache",
    metadata,
    Column("url", String(2048), primary_key=True),  # the article's URL as the item has it
    Column("etag", Text, nullable=False, default=""),
    Column("last_modified", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),  # extracted, cleaned, trimmed
    Column("fetched_at", Float, nullable=False),  # POSIX seconds of the last 200 or 304
)

# -- send ------------------------------------------------------------------------------
# The send log (see `send.sendlog`): one row per (edition, subscriber), the memory that
# makes sends exactly-once. The registry of send processes (see `send.leases`).

send_log = Table(
    "send_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("edition", String(10), nullable=False),
    Column("subscriber_id", Integer, nullable=False),
    Column("email", String(320), nullable=False),
    Column("state", String(10), nullable=False, default="pending"),
    Column("owner", String(120)),  # the process holding a claimed/sending row (v0002)
    Column("message_id", String(200)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("edition", "subscriber_id", name="uq_send_log_edition_subscriber"),
    Index("ix_send_log_edition_state", "edition", "state"),
)

send_workers = Table(
    "send_workers",
    metadata,
    Column("owner", String(120), primary_key=True),
    Column("edition", String(10), nullable=False),
    Column("host", String(100), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
    Column("stopped_at", DateTime(timezone=True)),
    Column("rate", Float),  # the share of the rate in use (None: unlimited)
    Index("ix_send_workers_heartbeat", "heartbeat_at"),
)

# -- signup ----------------------------------------------------------------------------
# Rate limits (see `signup.limits`): keys are HMACs, never addresses or IPs.

signup_limits = Table(
    "signup_limits",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("count", Integer, nullable=False),
    Column("last", DateTime(timezone=True), nullable=False),
)

# -- feedback --------------------------------------------------------------------------
# `feedback_messages` remembers every notification already handled (SNS MessageId, or SES
# feedbackId for raw SQS deliveries): SNS and SQS both deliver at least once, and a
# counted soft bounce must not be counted twice. `transient_bounces` counts soft bounces
# per subscriber; its `subscriber_id` lets the audience's `forget` erase it with the person.

feedback_messages = Table(
    "feedback_messages",
    metadata,
    Column("message_id", String(200), primary_key=True),
    Column("origin", String(8), nullable=False),  # sns | sqs
    Column("kind", String(16), nullable=False),  # bounce | complaint | unsubscribe | other
    Column("received", DateTime(timezone=True), nullable=False),
)

transient_bounces = Table(
    "transient_bounces",
    metadata,
    Column(
        "subscriber_id",
        Integer,
        ForeignKey("subscribers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("count", Integer, nullable=False),
    Column("last", DateTime(timezone=True), nullable=False),
)

delivery_events = Table(
    "delivery_events",
    metadata,
    # What SES reported about each message (see `feedback.event_log`): one row per event,
    # keyed by a digest of the event, so a redelivery is stored once. The subscriber, never
    # the address, is kept; `forget` erases the person's events through `subscriber_id`.
    Column("key", String(40), primary_key=True),
    Column("edition", String(10)),  # NULL for a test copy or a foreign message
    Column(
        "subscriber_id",
        Integer,
        ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=True,
    ),
    Column("message_id", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # delivery | bounce | open | click | …
    Column("detail", String(500), nullable=False, default=""),
    Column("link", Text),  # clicks: the original URL
    Column("occurred", DateTime(timezone=True), nullable=False),
    Column("received", DateTime(timezone=True), nullable=False),
    Index("ix_delivery_events_edition_kind", "edition", "kind"),
)

# -- editions --------------------------------------------------------------------------
# Where each edition stands (see `newsletter.editions`): one row per date.

editions = Table(
    "editions",
    metadata,
    Column("edition", String(10), primary_key=True),
    Column("stage", String(16), nullable=False),
    Column("failed_step", String(16)),
    Column("reason", Text),
    Column("collected_at", DateTime(timezone=True)),
    Column("drafted_at", DateTime(timezone=True)),
    Column("rendered_at", DateTime(timezone=True)),
    Column("sending_at", DateTime(timezone=True)),  # the first send of this edition began
    Column("sent_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("runner", String(200)),  # the `daily` run holding the lock: "host pid N"
    Column("run_started", DateTime(timezone=True)),
)
