"""Amazon SES v2 (`SendEmail` with `Content.Raw`), through one shared boto3 client.

Raw content is the only way to send our own headers (List-Unsubscribe,
List-Unsubscribe-Post, Message-ID). SES errors are mapped onto the campaign's
three failure classes so a throttle is retried and a paused account stops the run.
"""

from __future__ import annotations

from typing import Any

from newsletter.send.transports.base import AccountError, PermanentError, TransientError

_ACCOUNT_ERRORS = {
    "AccountSuspendedException",
    "SendingPausedException",
    "MailFromDomainNotVerifiedException",
    "AccessDeniedException",
    "AccessDenied",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredTokenException",
}
_TRANSIENT_ERRORS = {
    "TooManyRequestsException",
    "Throttling",
    "ThrottlingException",
    "LimitExceededException",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalServiceErrorException",
    "RequestTimeout",
}
_UNVERIFIED_SENDER_HINTS = ("not verified", "identities failed", "authority to send")


class SesTransport:
    name = "ses"

    def __init__(
        self,
        *,
        region: str,
        endpoint_url: str = "",
        configuration_set: str = "",
        sender: str,
        max_pool_connections: int = 16,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.sender = sender
        self.configuration_set = configuration_set
        config = Config(
            max_pool_connections=max_pool_connections,
            retries={"max_attempts": 1, "mode": "standard"},  # the campaign retries, knowingly
            connect_timeout=5,
            read_timeout=30,
        )
        self.client = boto3.client(
            "sesv2", region_name=region, endpoint_url=endpoint_url or None, config=config
        )

    def send(self, raw: bytes, *, recipient: str, tags: dict[str, str]) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        request: dict[str, Any] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [recipient]},
            "Content": {"Raw": {"Data": raw}},
        }
        if tags:
            request["EmailTags"] = [{"Name": k, "Value": v} for k, v in tags.items()]
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            return str(self.client.send_email(**request)["MessageId"])
        except ClientError as exc:
            raise classify(exc) from exc
        except BotoCoreError as exc:  # connection reset, timeout, endpoint unreachable
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        self.client.close()


def classify(exc: Any) -> Exception:
    """Map a botocore ClientError onto Transient/Permanent/Account errors."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")) or str(exc)
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    line = f"{code}: {message}"
    if code in _ACCOUNT_ERRORS:
        return AccountError(line)
    if code in _TRANSIENT_ERRORS or status >= 500 or status == 429:
        return TransientError(line)
    if code == "MessageRejected" and any(h in message.lower() for h in _UNVERIFIED_SENDER_HINTS):
        return AccountError(f"the sender is not a verified SES identity ({line})")
    return PermanentError(line)
