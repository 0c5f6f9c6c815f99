"""Amazon Bedrock through the Converse API (boto3), the reply forced through a tool.

boto3 is imported here only, when this provider is configured, so the CLI stays
quick to start. boto3's own retries are off: the model writer retries throttles
itself, with the same rules for every provider.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from newsletter.brief.writers.base import Ask, ModelReply, Throttled, Unavailable
from newsletter.brief.writers.reply import object_in_text
from newsletter.config import BedrockSettings

THROTTLE_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
    }
)
RETRY_STATUSES = frozenset({429, 503})


class BedrockClient:
    """`ask` = one Converse call; errors become Throttled or Unavailable."""

    name = "bedrock"

    def __init__(self, config: BedrockSettings, *, region: str) -> None:
        self.config = config
        self.model = config.model_id
        self.max_attempts = config.max_attempts
        self.price_input_per_1m = config.price_input_per_1k * 1000
        self.price_output_per_1m = config.price_output_per_1k * 1000
        self.client = boto3.client(
            "bedrock-runtime",
            region_name=config.region or region,
            endpoint_url=config.endpoint_url or None,
            config=Config(
                connect_timeout=min(10.0, config.timeout),
                read_timeout=config.timeout,
                retries={"total_max_attempts": 1, "mode": "standard"},  # the writer retries
                user_agent_extra="newsletter-briefing",
                max_pool_connections=32,  # stories are written concurrently
            ),
        )

    def ask(self, request: Ask) -> ModelReply:
        try:
            response = self.client.converse(
                modelId=self.model,
                system=[{"text": request.system}],
                messages=[{"role": "user", "content": [{"text": request.user}]}],
                inferenceConfig={
                    "maxTokens": self.config.max_tokens,
                    "temperature": self.config.temperature,
                },
                toolConfig=tool_config(request),
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            code = error.get("Code", "")
            if code in THROTTLE_CODES or status in RETRY_STATUSES:
                raise Throttled(code or str(status)) from None
            raise Unavailable(f"{code or status}: {error.get('Message', '')}") from None
        except BotoCoreError as exc:  # timeouts, connection errors, missing credentials
            raise Unavailable(f"{type(exc).__name__}: {exc}") from None
        return reply_of(response, request.tool)


def tool_config(request: Ask) -> dict[str, Any]:
    """One tool, and the model is told to use it: the reply is the tool's JSON input."""
    spec = {"name": request.tool, "description": request.description}
    return {
        "tools": [{"toolSpec": {**spec, "inputSchema": {"json": request.schema}}}],
        "toolChoice": {"tool": {"name": request.tool}},
    }


def reply_of(response: dict[str, Any], tool: str) -> ModelReply:
    """The tool input of a Converse response (a JSON object in a text block counts too)."""
    usage = response.get("usage") or {}
    tokens = [usage.get(key, 0) for key in ("inputTokens", "outputTokens")]
    input_tokens, output_tokens = (t if isinstance(t, int) else 0 for t in tokens)

    def problem(text: str) -> ModelReply:
        return ModelReply(None, text, input_tokens, output_tokens)

    if response.get("stopReason") == "max_tokens":
        return problem("reply cut off at max_tokens")
    output = response.get("output")
    message = output.get("message") if isinstance(output, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, list):
        return problem("no output message in the reply (malformed or not a Converse reply)")
    for block in content:
        use = block.get("toolUse") if isinstance(block, dict) else None
        if isinstance(use, dict) and use.get("name") == tool:
            if not isinstance(use.get("input"), dict):
                return problem(f"{tool} input is not an object")
            return ModelReply(use["input"], "", input_tokens, output_tokens)
    for block in content:
        text = block.get("text") if isinstance(block, dict) else None
        found = object_in_text(text) if isinstance(text, str) else None
        if found is not None:
            return ModelReply(found, "", input_tokens, output_tokens)
    return problem(f"the reply did not use the {tool} tool")
