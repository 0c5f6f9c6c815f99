"""What a draft reads from the configuration, handed in by whoever drafts.

Selecting, writing and framing the day's stories read `[brief]`, the model
providers' tables, the newsletter's name and language, and — to read the picked
stories' article pages under the collector's limits — `[collect]` and the public
address named in the User-Agent. Nothing else of the settings: a test or a bench
builds exactly this.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsletter.config import BedrockSettings, BriefSettings, CollectSettings, OpenAISettings


@dataclass(frozen=True)
class DraftSetup:
    brief: BriefSettings
    name: str  # the newsletter's, in the frame and the model prompts
    language: str  # the edition's: what the writer writes in
    bedrock: BedrockSettings
    openai: OpenAISettings
    region: str  # [sender] region: Bedrock's when [bedrock] region is empty
    collect: CollectSettings  # article pages are read under the collector's limits
    base_url: str  # [newsletter] base_url: where a publisher can see who reads its pages
