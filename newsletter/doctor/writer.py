"""Can the configured writer write? One line: the offline writer always can; a model writer's
server is asked which models it serves (`GET {base_url}/models`, nothing billed).

A writer that cannot reach its model is a warning, not a failure: `draft` then
writes every story offline and the edition still goes out. Bedrock is not
called (there is no free request that proves a model can be invoked); its line
names the model and the region `draft` will use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from newsletter.config import OpenAISettings
from newsletter.doctor.check import Check, ok, warn
from newsletter.doctor.context import Context

TIMEOUT = 5.0  # seconds: doctor is interactive
NAME = "writer"


def checks(ctx: Context) -> Iterator[Check]:
    settings = ctx.settings
    writer = settings.brief.writer
    if writer == "bedrock":
        region = settings.bedrock.region or settings.sender.region
        yield ok(NAME, f"bedrock {settings.bedrock.model_id} in {region} (not called: it bills)")
    elif writer == "openai":
        yield openai_server(settings.openai)
    else:
        yield ok(NAME, "extractive: the sources' own sentences, written offline")


def openai_server(config: OpenAISettings) -> Check:
    key = os.environ.get(config.api_key_env, "") if config.api_key_env else ""
    url = config.base_url.rstrip("/")
    offline = "every story would be written offline"
    if not key and urlsplit(url).hostname == "api.openai.com":
        return warn(
            NAME, f"${config.api_key_env} is not set: {offline}", f"export {config.api_key_env}=…"
        )
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        response = httpx.get(f"{url}/models", headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        return warn(
            NAME,
            f"{url} does not answer ({type(exc).__name__}): {offline}",
            "start the server (e.g. `ollama serve`) or fix openai.base_url",
        )
    if response.status_code in (401, 403):
        return warn(NAME, f"{url} refused the key (HTTP {response.status_code}): {offline}")
    try:
        served = [m.get("id") for m in response.json().get("data", []) if isinstance(m, dict)]
    except (ValueError, AttributeError):
        served = []
    if response.status_code != 200 or not served:
        return ok(NAME, f"openai {config.model} at {url} (it lists no models; not checked)")
    if config.model not in served:
        shown = ", ".join(str(m) for m in served[:5])
        return warn(
            NAME,
            f"{url} does not serve {config.model} (it serves {shown}): {offline}",
            f"set openai.model to one of them, or fetch it (`ollama pull {config.model}`)",
        )
    return ok(NAME, f"openai {config.model} at {url}")
