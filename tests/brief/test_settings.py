"""The brief's configuration: [brief.emoji], [bedrock], and the starter file documenting them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsletter.config import ConfigError, load_settings
from newsletter.starter import STARTER_TOML
from tests.brief.factory import write_config


def test_defaults_need_no_configuration(tmp_path: Path) -> None:
    settings = write_config(tmp_path)
    assert settings.brief.emoji == {}
    assert settings.bedrock.model_id.startswith("anthropic.")
    assert settings.bedrock.region == ""  # means: the sender's region
    assert settings.bedrock.max_attempts >= 1


def test_emoji_and_bedrock_tables_are_read(tmp_path: Path) -> None:
    settings = write_config(
        tmp_path,
        writer="bedrock",
        brief={"emoji": {"ai": "🧠", "quantum": "⚛️"}},
        bedrock={
            "model_id": "amazon.nova-lite-v1:0",
            "max_tokens": 800,
            "temperature": 0,
            "timeout": 5,
            "price_input_per_1k": 0.00006,
        },
    )
    assert settings.brief.emoji == {"ai": "🧠", "quantum": "⚛️"}
    assert settings.bedrock.model_id == "amazon.nova-lite-v1:0"
    assert settings.bedrock.temperature == 0.0 and settings.bedrock.timeout == 5.0
    assert settings.bedrock.price_input_per_1k == 0.00006


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("[brief.emoji]\nai = 1\n", "brief.emoji.ai must be a string, found an integer 1"),
        ('[brief]\nemoji = "🤖"\n', "brief.emoji must be a table, found '🤖'"),
        ("[bedrock]\nmax_tokens = 0\n", "bedrock.max_tokens must be between 1 and 100000"),
        ("[bedrock]\ntemperature = 1.5\n", "bedrock.temperature must be between 0 and 1"),
        ("[bedrock]\ntimeout = 0\n", "bedrock.timeout must be positive"),
        ("[bedrock]\nmax_attempts = 0\n", "bedrock.max_attempts must be between 1 and 10"),
        ('[bedrock]\nmodel = "x"\n', "unknown key bedrock.model (did you mean model_id?)"),
        ("[bedrock]\nprice_output_per_1k = -1\n", "bedrock prices must not be negative"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, extra: str, expected: str) -> None:
    base = (tmp_path / "base").resolve()
    base.mkdir()
    write_config(base)
    path = base / "newsletter.toml"
    text = path.read_text(encoding="utf-8")
    if extra.startswith("[brief]"):  # a second [brief] header is invalid TOML: merge it
        text = text.replace("[brief]\n", extra, 1)
    else:
        text += extra
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == f"{path}: {expected}"


def test_starter_documents_every_key_of_its_sections(tmp_path: Path) -> None:
    """Uncommenting the starter's examples gives a valid config using all of them."""
    text = re.sub(
        r"^# (\[brief\.emoji\]|\[bedrock\]|\[openai\]|\[gates\]|\[collect\]|\[feedback\]"
        r"|\[signup\]|\[render\]|\[publish\]|\[smtp\]|[a-z_0-9]+ = )",
        r"\1",
        STARTER_TOML,
        flags=re.M,
    )
    path = tmp_path / "newsletter.toml"
    path.write_text(text.replace('writer = "extractive"', 'writer = "bedrock"'), encoding="utf-8")
    (tmp_path / "my-templates").mkdir()
    settings = load_settings(path)
    assert settings.brief.writer == "bedrock"
    assert settings.newsletter.logo_url == "https://news.example.com/logo.png"
    assert settings.templates_dir == tmp_path / "my-templates"
    assert settings.brief.emoji == {"ai": "🤖", "funding": "💰"}
    assert settings.bedrock.region == "us-east-1"
    from newsletter.config import (
        BedrockSettings,
        CollectSettings,
        FeedbackSettings,
        GatesSettings,
        NewsletterSettings,
        OpenAISettings,
        PublishSettings,
        RenderSettings,
        SignupSettings,
        SmtpSettings,
    )

    for section, fields in [
        ("bedrock", BedrockSettings),
        ("openai", OpenAISettings),
        ("gates", GatesSettings),
        ("collect", CollectSettings),
        ("feedback", FeedbackSettings),
        ("signup", SignupSettings),
        ("render", RenderSettings),
        ("publish", PublishSettings),
        ("newsletter", NewsletterSettings),
        ("smtp", SmtpSettings),
    ]:
        block = text.split(f"[{section}]")[1].split("\n[")[0]
        documented = set(re.findall(r"^([a-z_0-9]+) = ", block, flags=re.M))
        assert documented >= set(fields.__dataclass_fields__), section
    assert settings.collect.concurrency == 16
    from newsletter.config import BriefSettings, FeedSettings

    brief = text.split("[brief]\n")[1].split("\n[")[0]
    documented = set(re.findall(r"^([a-z_0-9]+) = ", brief, flags=re.M)) | {"emoji"}
    assert documented >= set(BriefSettings.__dataclass_fields__)
    feed = text.split("[[feeds]]\n")[-1]
    documented = set(re.findall(r"^#? ?([a-z_0-9]+) = ", feed, flags=re.M))
    assert documented >= set(FeedSettings.__dataclass_fields__)
    assert settings.signup.confirm_days == 7
