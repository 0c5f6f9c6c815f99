"""Amazon SES v2 (`SendEmail` with `Content.Raw`): boto3 for the account, a lean signed request
per message.

Raw content is the only way to send our own headers (List-Unsubscribe,
List-Unsubscribe-Post, Message-ID). SES errors are mapped onto the campaign's
three failure classes so a throttle is retried and a paused account stops the run.
GetAccount and the rare calls go through one boto3 client; each message goes out
as one SigV4-signed request on a connection its worker thread keeps
(`ses_request.py`: about half botocore's CPU per message), except behind a proxy,
where the boto3 client (thread-safe, pooled) sends too. A message whose connection
broke after it went out is `AmbiguousError` on the direct path (`ses_request.py`
says which breaks are told apart); behind a proxy botocore cannot say, and such a
break is retried as its SDK does.
"""

from __future__ import annotations

import http.client
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from newsletter.send.transports.base import (
    AccountError,
    AmbiguousError,
    PermanentError,
    QuotaUnavailable,
    SendQuota,
    TransientError,
)
from newsletter.send.transports.ses_request import SignedSender, Unanswered

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
    "ExpiredToken",
    "MissingAuthenticationToken",
}
_TRANSIENT_ERRORS = {
    "TooManyRequestsException",
    "Throttling",
    "ThrottlingException",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalServiceErrorException",
    "RequestTimeout",
    "RequestTimeoutException",
    "LimitExceededException",
}
_UNVERIFIED_SENDER_HINTS = ("not verified", "identities failed", "authority to send")
# SES answers a send over the 24-hour quota with a throttling code; retrying cannot help.
_DAILY_QUOTA_HINTS = ("daily message quota", "24 hour", "max24hoursend")
# GetAccount missing (moto answers 404) or not allowed by the policy: try v1 GetSendQuota.
_QUOTA_FALLBACK_CODES = {"404", "UnknownOperationException", "NotFoundException"}


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
        timeout: float = 30.0,
    ) -> None:
        self.sender = sender
        self.configuration_set = configuration_set
        self._region = region
        self._endpoint_url = endpoint_url or None
        self._config = Config(
            max_pool_connections=max_pool_connections,
            retries={"total_max_attempts": 1, "mode": "standard"},  # the campaign retries
            connect_timeout=5,
            read_timeout=timeout,
        )
        session = boto3.session.Session()
        self.client = session.client(
            "sesv2", region_name=region, endpoint_url=self._endpoint_url, config=self._config
        )
        self._signed: SignedSender | None = None
        credentials = session.get_credentials()
        if credentials is not None and SignedSender.usable(self.client):
            self._signed = SignedSender(self.client, credentials, timeout=timeout)

    def send(self, raw: bytes, *, recipient: str, tags: dict[str, str]) -> str:
        if self._signed is not None:
            try:
                return self._signed.send(
                    raw,
                    sender=self.sender,
                    recipient=recipient,
                    tags=tags,
                    configuration_set=self.configuration_set,
                )
            except ClientError as exc:
                raise classify(exc) from exc
            except Unanswered as exc:  # SES may have sent it: not again unless asked
                raise AmbiguousError(
                    f"no answer from SES after the message went out: {exc}"
                ) from exc
            except (OSError, http.client.HTTPException) as exc:  # refused, cut before the end
                raise TransientError(f"{type(exc).__name__}: {exc}") from exc
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

    def quota(self) -> SendQuota:
        """SES v2 GetAccount; where the endpoint lacks it (moto) or may not call it, v1."""
        try:
            account = self.client.get_account()
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _QUOTA_FALLBACK_CODES or "AccessDenied" in code:
                return self._quota_v1(first=exc)
            raise classify(exc) from exc
        except BotoCoreError as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if account.get("SendingEnabled") is False:
            raise AccountError(
                "sending is paused for this SES account (GetAccount: SendingEnabled is false)"
            )
        figures = account.get("SendQuota", {})
        return _quota(figures, "SES v2 GetAccount")

    def _quota_v1(self, *, first: Exception) -> SendQuota:
        client = boto3.client(
            "ses", region_name=self._region, endpoint_url=self._endpoint_url, config=self._config
        )
        try:
            return _quota(client.get_send_quota(), "SES v1 GetSendQuota")
        except ClientError as exc:
            error = classify(exc)
            if isinstance(error, AccountError):
                raise QuotaUnavailable(
                    f"cannot read the SES send quota ({first}; {exc}): allow ses:GetAccount, "
                    "or set sender.max_rate and sender.daily_quota"
                ) from exc
            raise error from exc
        except BotoCoreError as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            client.close()

    def close(self) -> None:
        if self._signed is not None:
            self._signed.close()
        self.client.close()


def _quota(figures: dict[str, Any], source: str) -> SendQuota:
    """SendQuota from SES figures; a negative Max24HourSend means unlimited."""
    rate = float(figures.get("MaxSendRate") or 0)
    maximum = figures.get("Max24HourSend")
    daily = float(maximum if maximum is not None else -1)
    return SendQuota(
        max_rate=rate if rate > 0 else None,
        max_24h=int(daily) if daily >= 0 else None,
        sent_24h=int(float(figures.get("SentLast24Hours") or 0)),
        source=source,
    )


def classify(exc: Any) -> Exception:
    """Map a botocore ClientError onto Transient/Permanent/Account errors."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")) or str(exc)
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    line = f"{code}: {message}"
    if code in _ACCOUNT_ERRORS:
        return AccountError(line)
    if any(hint in message.lower() for hint in _DAILY_QUOTA_HINTS):
        return AccountError(f"the SES 24-hour sending quota is used up ({line})")
    if code in _TRANSIENT_ERRORS or status >= 500 or status == 429:
        return TransientError(line)
    if code == "MessageRejected" and any(h in message.lower() for h in _UNVERIFIED_SENDER_HINTS):
        return AccountError(f"the sender is not a verified SES identity ({line})")
    return PermanentError(line)
