"""`newsletter.toml` → typed, validated Settings: `load_settings` is the way in.

- `sections`: the settings' shapes, one dataclass per table, and `Settings`;
- `loading`: finding the file, reading TOML, coercing each value to its field's type;
- `checks`: the values checked beyond their types (choices, ranges, addresses, zones).
"""

from newsletter.config.checks import CHOICES, GATE_LEVELS
from newsletter.config.loading import (
    database_url,
    feed_location,
    find_config,
    load_settings,
    parse_settings,
)
from newsletter.config.sections import (
    CONFIG_ENV,
    CONFIG_NAME,
    BedrockSettings,
    BriefSettings,
    CollectSettings,
    ConfigError,
    ConfigNotFound,
    DatabaseSettings,
    FeedbackSettings,
    FeedSettings,
    GatesSettings,
    Identity,
    NewsletterSettings,
    OpenAISettings,
    PublishSettings,
    RenderSettings,
    SenderSettings,
    Settings,
    SignupSettings,
    SmtpSettings,
)

__all__ = [
    "CHOICES",
    "CONFIG_ENV",
    "CONFIG_NAME",
    "GATE_LEVELS",
    "BedrockSettings",
    "BriefSettings",
    "CollectSettings",
    "ConfigError",
    "ConfigNotFound",
    "DatabaseSettings",
    "FeedSettings",
    "FeedbackSettings",
    "GatesSettings",
    "Identity",
    "NewsletterSettings",
    "OpenAISettings",
    "PublishSettings",
    "RenderSettings",
    "SenderSettings",
    "Settings",
    "SignupSettings",
    "SmtpSettings",
    "database_url",
    "feed_location",
    "find_config",
    "load_settings",
    "parse_settings",
]
