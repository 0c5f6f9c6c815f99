"""`newsletter init`: a commented starter `newsletter.toml` that runs offline as written,
filled in with the answers of the guided start, and the secret key in a `.env` beside it."""

from __future__ import annotations

import json
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from newsletter.audience.tokens import SECRET_ENV
from newsletter.config import ConfigError, parse_settings
from newsletter.environment import ENV_FILE, read_env_file

STARTER_TOML = """\
# newsletter.toml — configuration of one daily briefing.
# Every key is documented here; remove the ones you do not need.
# Secrets never go in this file: set NEWSLETTER_SECRET_KEY (link signing) and the
# usual AWS variables or profile in the environment.

[newsletter]
name = "Daily AI & Tech News"          # shown in the masthead, subject and List-Id
language = "en"                        # ko | en: labels, intro and outro
timezone = "Asia/Seoul"                # IANA zone of the send time and edition dates
send_time = "07:00"                    # when `newsletter schedule` sends (HH:MM)
catch_up_minutes = 120                 # `schedule` started up to this late still sends today's
base_url = "http://127.0.0.1:8000"     # where `newsletter serve` is reachable (https in production)
data_dir = "."                         # editions/ and outbox/ live here (relative to this file)
postal_address = ""                    # your postal/sender line for the footer (CAN-SPAM)
# list_id = ""                        # List-Id header; default: from the name and sender domain
# description = "AI and tech news that matters, every morning in five stories."  # public site
# accent_color = "#1d4ed8"             # brand colour of links, labels, the takeaway bar
# logo_url = "https://news.example.com/logo.png"   # masthead logo (absolute URL; default: the name)
# logo_alt = "Daily AI & Tech News"    # the logo's alt text (default: the name)
# footer_note = ""                     # one line of your own in every footer
# approval = "auto"                   # manual: daily holds each edition until `newsletter approve`
# editors = ["editor@example.com"]     # with manual approval: they get the test copy to approve
# approve_by = "09:00"                 # not approved by then: the day is skipped, never sent late

[sender]
from = "Daily Briefing <briefing@example.com>"
transport = "outbox"                   # outbox (.eml files) | ses (Amazon SES v2) | smtp (a relay)
region = "us-east-1"
# endpoint_url = "http://127.0.0.1:5055"   # a local SES endpoint (tests)
# configuration_set = "newsletter"         # SES configuration set for bounce/complaint events
# reply_to = "editor@example.com"
# unsubscribe_mailbox = "unsub@example.com"  # someone reads it: offered as a mailto unsubscribe
# max_rate = 14                            # messages/s; default: the account's SES quota
# daily_quota = 50000                      # messages/24 h; default: the account's SES quota

# [smtp]                               # only used with sender.transport = "smtp"
# host = "email-smtp.us-east-1.amazonaws.com"   # SES's SMTP endpoint, or any relay
# port = 587
# security = "starttls"                # starttls (587) | tls (465) | none (trusted network only)
# username = ""                        # SES: the SMTP user name of an IAM user
# password_env = "NEWSLETTER_SMTP_PASSWORD"   # the environment variable holding the password
# connections = 4                      # kept-alive connections (one sending thread each)
# ca_file = ""                         # PEM file of a CA to trust instead of the system's
# timeout = 30.0                       # seconds to wait for one reply
# max_per_day = 0                      # messages per 24 hours; 0: no limit

[database]
url = "sqlite:///subscribers/newsletter.db"   # or postgresql://user@host/dbname

[brief]
max_stories = 5                        # 1–10 stories per edition
window_hours = 24                      # only items published this long before the send
writer = "extractive"                  # extractive (offline) | bedrock | openai (OpenAI-compatible)
max_per_section = 2                    # at most this many stories of one section
concurrency = 4                        # stories a model writes at once
cache = true                           # model replies kept in the database: a re-draft pays once
topics = []                            # the beat, any language: ["AI", "반도체", "security"];
                                       # a story about none of them is never picked ([] = any)
exclude = []                           # stories about these are never picked: ["crypto"]
fetch_articles = true                  # read each picked story's article page for the writers
article_mirror = ""                    # read https://host/path from {mirror}host/path instead
                                       # (a local copy in `wget --mirror` layout; the demo's)

# [brief.emoji]                        # emoji per feed section, for stories whose words name
# ai = "🤖"                            # no topic of the built-in table (ai 🤖, hardware 🔌,
# funding = "💰"                       #  policy 🌐, funding 💰, tools 🛠️, security 🔒, science 🔬,
#                                      #  mobile 📱, cloud ☁️, tech 💡); a model picks its own

# [bedrock]                            # only used with brief.writer = "bedrock"
# model_id = "anthropic.claude-3-haiku-20240307-v1:0"   # any Converse model with tool use
# region = "us-east-1"                 # default: sender.region
# endpoint_url = ""                    # a local/VPC endpoint (tests)
# max_tokens = 1200                    # per story reply
# temperature = 0.3
# timeout = 60                         # seconds per reply; a slower story uses the offline writer
# max_attempts = 4                     # tries per story when throttled (backoff 1 s, 2 s, 4 s…)
# price_input_per_1k = 0.00025         # USD per 1,000 tokens, for the cost printed by `draft`
# price_output_per_1k = 0.00125

# [openai]                             # only used with brief.writer = "openai"
# base_url = "https://api.openai.com/v1"   # Ollama: "http://localhost:11434/v1"
# model = "gpt-4o-mini"                # Ollama: e.g. "qwen2.5:7b"
# api_key_env = "OPENAI_API_KEY"       # the variable holding the key; a local server needs none
# timeout = 60                         # seconds per reply; a slower story uses the offline writer
# max_tokens = 1200                    # per story reply
# temperature = 0.3
# max_attempts = 4                     # tries per story on 429/503 (Retry-After honoured)
# structured = "auto"                  # auto | tools | json (servers without tool calling)
# price_input_per_1m = 0.15            # USD per 1,000,000 tokens, for the cost printed by `draft`
# price_output_per_1m = 0.60

# [gates]                              # content gates: "warn" lists a finding, "block" stops render
# language_mismatch = "warn"           # another language's sentences under 요약 / 왜 중요한가
# keyword_title = "warn"               # a title that is a keyword list or one word
# title_is_headline = "warn"           # a summary title that repeats the headline
# repeated_sentence = "warn"           # one sentence twice in a story
# boilerplate = "warn"                 # "Continue reading", "무단 전재" … left in the text
# missing_why = "warn"                 # stories without a why-it-matters section
# missing_takeaway = "warn"            # stories without a takeaway

# [collect]                            # how feeds are fetched (defaults shown)
# concurrency = 16                     # feed bodies downloading at once (bounds memory)
# connections = 100                    # requests waiting on servers at once (a 304 needs no body)
# per_host = 4                         # requests to one host at once
# connect_timeout = 5.0                # seconds
# total_timeout = 20.0                 # seconds per feed, body included
# max_bytes = 10000000                 # a larger body is abandoned while streaming
# max_redirects = 5
# dedupe_threshold = 0.45              # 0–1: how alike two titles/leads must be to be one story
# user_agent = ""                      # empty: a descriptive default naming this software
# parse_workers = 0                    # processes parsing feeds; 0 = automatic
# allow_private_networks = false      # feeds/articles on loopback, LAN or link-local addresses
#                                      # are refused; true allows them, or list the networks:
#                                      # ["192.168.1.0/24"] (a self-hosted feed on your LAN)

# [feedback]                           # SES bounces, complaints, delivery events (SNS or SQS)
# topic_arns = "arn:aws:sns:us-east-1:123456789012:ses-feedback"   # SNS topics to accept
# queue_url = ""                       # the SQS queue `newsletter feedback poll` drains
# transient_bounce_limit = 3           # soft bounces before an address counts as bounced
# transient_bounce_days = 30           # a soft bounce this long after the last starts over
# region = ""                          # of the queue; default: sender.region
# endpoint_url = ""                    # a local/VPC SQS endpoint (tests)
# track_opens = false                  # keep who opened which edition (a privacy choice)
# track_clicks = false                 # keep who clicked which story (a privacy choice)

# [signup]                             # double opt-in at /subscribe (defaults shown)
# confirm_days = 7                     # a confirmation link works this long
# unconfirmed_days = 30                # `daily` deletes signups nobody confirmed after this
# address_interval_minutes = 10        # one confirmation mail per address in this time…
# address_per_day = 5                  # …and at most this many in 24 hours
# network_per_hour = 20                # signup requests per client network (IPv4, IPv6 /64)

# [render]                             # see README "Branding and templates"
# templates_dir = "my-templates"       # your templates, file by file over the bundled ones

# [publish]                            # copies of each edition outside the mailbox
# jekyll_posts_dir = "../blog/_posts"  # `render` writes YYYY-MM-DD-<slug>.md there
# jekyll_slug = "daily-tech-news"      # <slug>; default: from the title, else the list id
# jekyll_git_commit = false            # true: commit the post there (never pushes)

# One [[feeds]] table per feed: an http(s) URL or a local path.
[[feeds]]
url = "https://example.com/feed.xml"
section = "ai"                         # ai, hardware, policy, funding, tools, security, …
name = "Example News"                  # publisher name shown under each story
weight = 1.0                           # >1 to favour this feed's stories
# include = ["AI", "반도체"]            # keep only this feed's entries about these
# exclude = ["sponsored", "광고"]       # leave out this feed's entries about these
"""


DEFAULT_SECTION = "tech"
COMMENT_COLUMN = 40  # where the starter's comments begin
SECTION_NOTE = "ai, hardware, policy, funding, tools, security, …"
NAME_NOTE = "publisher name shown under each story"
GITIGNORE_HEADER = "# secrets and subscriber data stay out of git (newsletter init)\n"


def write_starter(directory: Path, answers: Answers | None = None) -> Path:
    """Write `directory/newsletter.toml`; refuses to overwrite an existing file."""
    path = directory / "newsletter.toml"
    if path.exists():
        raise FileExistsError(f"{path} already exists; not overwritten")
    text = render_starter(answers) if answers is not None and answers.given() else STARTER_TOML
    directory.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
    return path


@dataclass
class FeedAnswer:
    """One feed as `init` took it: `--feed "URL|section|name"` or three prompts."""

    url: str
    section: str = DEFAULT_SECTION
    name: str = ""  # empty: the feed's own title is shown under its stories

    @classmethod
    def parse(cls, value: str) -> FeedAnswer:
        """`URL`, `URL|section` or `URL|section|name` (a URL has no raw `|`)."""
        url, _, rest = value.partition("|")
        section, _, name = rest.partition("|")
        return cls(url.strip(), section.strip() or DEFAULT_SECTION, name.strip())


@dataclass
class Answers:
    """What `newsletter init` asked for (or took from flags); None keeps the starter's value."""

    name: str | None = None
    language: str | None = None
    sender: str | None = None
    base_url: str | None = None
    feeds: list[FeedAnswer] = field(default_factory=list)
    transport: str | None = None
    timezone: str | None = None
    send_time: str | None = None
    postal_address: str | None = None
    topics: list[str] | None = None  # None: not asked; [] : asked, none given

    def given(self) -> bool:
        scalars = (self.name, self.language, self.sender, self.base_url, self.transport)
        others = (self.timezone, self.send_time, self.postal_address)
        return any(value is not None for value in (*scalars, *others)) or bool(
            self.feeds or self.topics
        )


class StarterError(ValueError):
    """An answer that cannot go into newsletter.toml; the message names it."""


def render_starter(answers: Answers) -> str:
    """STARTER_TOML with the answers filled in, comments and layout kept.

    The result is validated exactly as `newsletter.toml` is loaded, so a bad
    answer stops `init` before anything is written.
    """
    text = STARTER_TOML
    for key, value, flag in (
        ("name", answers.name, "--name"),
        ("language", answers.language, "--language"),
        ("timezone", answers.timezone, "--timezone"),
        ("send_time", answers.send_time, "--send-time"),
        ("base_url", answers.base_url, "--base-url"),
        ("postal_address", answers.postal_address, "--postal-address"),
        ("from", answers.sender, "--from"),
        ("transport", answers.transport, "--transport"),
    ):
        if value is not None:
            text = _set(text, key, _one_line(value, flag))
    if answers.transport == "ses":
        # The README's "Going live" creates a configuration set of this name.
        text = text.replace(
            '# configuration_set = "newsletter"         #',
            'configuration_set = "newsletter"           #',
        )
    if answers.transport == "smtp":
        # The relay's address and login are the operator's to fill in; SES's SMTP
        # endpoint is the example, so the file loads and `doctor` says what is wrong.
        text = re.sub(
            r"^# (\[smtp\]|host = |port = |security = |username = |password_env = )",
            r"\1",
            text,
            flags=re.M,
        )
    if answers.topics:
        listed = ", ".join(_toml_string(_one_line(t, "--topic")) for t in answers.topics)
        text = re.sub(
            r"^topics = \[\]", lambda _: f"topics = [{listed}]", text, count=1, flags=re.M
        )
    if answers.feeds:
        head, _, _ = text.rpartition("[[feeds]]\n")
        text = head + "\n".join(_feed_block(feed) for feed in answers.feeds)
    _validate(text)
    return text


def _feed_block(feed: FeedAnswer) -> str:
    lines = [
        "[[feeds]]",
        f"url = {_toml_string(_web_url(feed.url))}",
        _commented(f"section = {_toml_string(_one_line(feed.section, '--feed'))}", SECTION_NOTE),
    ]
    if feed.name:
        lines.append(
            _commented(f"name = {_toml_string(_one_line(feed.name, '--feed'))}", NAME_NOTE)
        )
    return "\n".join(lines) + "\n"


def _commented(assignment: str, note: str) -> str:
    """`assignment` with `# note` in the starter's comment column (or one space after)."""
    return f"{assignment} ".ljust(COMMENT_COLUMN - 1) + f"# {note}"


def _set(text: str, key: str, value: str) -> str:
    """Replace the first `key = "…"` line's value, keeping its comment in its column."""
    pattern = re.compile(rf'^({re.escape(key)} = )("(?:[^"\\]|\\.)*")( *)(#.*)?$', re.MULTILINE)
    match = pattern.search(text)
    if match is None:  # the starter changed and this function was not told
        raise AssertionError(f"starter has no {key} line")
    new = _toml_string(value)
    comment = match.group(4) or ""
    pad = max(1, len(match.group(2)) + len(match.group(3)) - len(new)) if comment else 0
    return text[: match.start()] + match.group(1) + new + " " * pad + comment + text[match.end() :]


def _web_url(value: str) -> str:
    """A feed answer is a web address: newsletter.toml would take `techcrunch.com/feed`
    as a file on this machine, and the mistake would surface only at the first collect."""
    url = _one_line(value, "--feed")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StarterError(
            f"--feed: {url!r} is not an http(s) URL such as https://example.com/feed.xml "
            "(a feed file on this machine goes into newsletter.toml by hand)"
        )
    return url


def _one_line(value: str, flag: str) -> str:
    value = value.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise StarterError(f"{flag}: must be one line of text without control characters")
    return value


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _validate(text: str) -> None:
    try:
        parse_settings(tomllib.loads(text), Path("newsletter.toml"))
    except (ConfigError, tomllib.TOMLDecodeError) as exc:
        raise StarterError(str(exc)) from None


def write_secret_env(directory: Path) -> tuple[Path, bool]:
    """A fresh `NEWSLETTER_SECRET_KEY` in `directory/.env` (0600); False when one was kept."""
    path = directory / ENV_FILE
    if SECRET_ENV in read_env_file(path):
        return path, False
    line = f"{SECRET_ENV}={secrets.token_urlsafe(32)}\n"
    if path.exists():
        existing = path.read_text(encoding="utf-8")
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(("" if existing.endswith("\n") or not existing else "\n") + line)
        path.chmod(0o600)
        return path, True
    header = (
        "# Secrets of this newsletter, read by every `newsletter` command from this folder.\n"
        "# Never commit this file; the environment overrides any value here.\n"
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(header + line)
    return path, True


def private_paths(root: Path, database_url: str, data_dir: Path) -> list[str]:
    """What must never reach a git repository of the newsletter's folder: the secrets in
    `.env`, the database (personal data: addresses, names, their history), and what the
    runs write — editions, the outbox's messages (addresses again), locks, the local key.

    As `.gitignore` patterns anchored at the config's folder; paths outside it are left out.
    """
    root = root.resolve()
    found = [".env"]
    url = database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        database = Path(url[len("sqlite:///") :].split("?", 1)[0])
        found += _anchored(root, database, suffix="*")  # the -wal and -shm files too
    data = data_dir.resolve()
    for name in ("editions/", "outbox/", "locks/", ".newsletter-secret"):
        found += _anchored(root, data / name.rstrip("/"), suffix="/" * name.endswith("/"))
    return found


def _anchored(root: Path, path: Path, *, suffix: str) -> list[str]:
    try:
        relative = path.resolve().relative_to(root)
    except ValueError:
        return []
    return [f"/{relative.as_posix()}{suffix}"]


def ignore_in_git(directory: Path, names: list[str]) -> tuple[Path, list[str]]:
    """Add each of `names` to `directory/.gitignore` unless listed (with or without a
    leading `/`); the file and the names added."""
    path = directory / ".gitignore"
    try:
        existing = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = ""
    listed = {line.strip().lstrip("/") for line in existing.splitlines()}
    added = [name for name in names if name.lstrip("/") not in listed]
    if added:
        lead = "\n" if existing and not existing.endswith("\n") else ""
        header = (
            "" if existing else "# secrets and subscriber data stay out of git (newsletter init)\n"
        )
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(lead + header + "".join(f"{name}\n" for name in added))
    return path, added
