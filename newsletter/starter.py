"""`newsletter init`: a commented starter `newsletter.toml` that runs offline as written."""

from __future__ import annotations

from pathlib import Path

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
base_url = "http://127.0.0.1:8000"     # where `newsletter serve` is reachable (https in production)
data_dir = "."                         # editions/ and outbox/ live here (relative to this file)
postal_address = ""                    # your postal/sender line for the footer (CAN-SPAM)

[sender]
from = "Daily Briefing <briefing@example.com>"
transport = "outbox"                   # outbox (writes .eml files) | ses (Amazon SES v2)
region = "us-east-1"
# endpoint_url = "http://127.0.0.1:5055"   # a local SES endpoint (tests)
# configuration_set = "newsletter"         # SES configuration set for bounce/complaint events
# reply_to = "editor@example.com"
# max_rate = 14                            # messages/s; default: the account's SES quota
# daily_quota = 50000                      # messages/24 h; default: the account's SES quota

[database]
url = "sqlite:///subscribers/newsletter.db"   # or postgresql://user@host/dbname

[brief]
max_stories = 5                        # 1–10 stories per edition
window_hours = 24                      # only items published this long before the send
writer = "extractive"                  # extractive (offline) | bedrock (Amazon Bedrock)
max_per_section = 2                    # at most this many stories of one section

# [brief.emoji]                        # emoji per feed section, over the built-in defaults
# ai = "🤖"                            # (ai 🤖, hardware 🔌, policy 🌐, funding 💰, tools 🛠️,
# funding = "💰"                       #  security 🔒, science 🔬, mobile 📱, cloud ☁️, tech 💡)

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

# [feedback]                           # SES bounces and complaints (serve: SNS; poll: SQS)
# topic_arns = "arn:aws:sns:us-east-1:123456789012:ses-feedback"   # SNS topics to accept
# queue_url = ""                       # the SQS queue `newsletter feedback poll` drains
# transient_bounce_limit = 3           # soft bounces before an address counts as bounced

# One [[feeds]] table per feed: an http(s) URL or a local path.
[[feeds]]
url = "https://example.com/feed.xml"
section = "ai"                         # ai, hardware, policy, funding, tools, security, …
name = "Example News"                  # publisher name shown under each story
weight = 1.0                           # >1 to favour this feed's stories
"""


def write_starter(directory: Path) -> Path:
    """Write `directory/newsletter.toml`; refuses to overwrite an existing file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "newsletter.toml"
    if path.exists():
        raise FileExistsError(f"{path} already exists; not overwritten")
    path.write_text(STARTER_TOML, encoding="utf-8")
    return path
