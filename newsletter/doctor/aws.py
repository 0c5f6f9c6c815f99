"""AWS calls for `doctor`: short timeouts, and every failure turned into a one-line reason.

The SES checks must work against Amazon SES with the minimal IAM policy, against
a local endpoint that implements only part of the API (moto), and against no
endpoint at all. So every call goes through `Aws.call`, which returns the answer
or raises `NotFound` (the thing asked about does not exist: a real answer) or
`Unavailable` (we could not find out: the reason becomes a "could not check"
line). After one connection failure the endpoint is not tried again, so a dead
endpoint costs one timeout, not one per check.
"""

from __future__ import annotations

import re
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
)
from botocore.parsers import ResponseParserError

_NOT_FOUND = {
    "NotFoundException",
    "NotFound",
    "ConfigurationSetDoesNotExist",
    "ConfigurationSetDoesNotExistException",
    "NoSuchEntity",
}
_DENIED = {"AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation"}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
}
_UNIMPLEMENTED = {"NotImplemented", "InvalidAction", "UnknownOperationException", "404"}
# The IAM action of a boto3 operation is its service prefix and the operation name.
_IAM_PREFIX = {"sesv2": "ses", "ses": "ses", "sns": "sns", "sqs": "sqs", "sts": "sts"}


class NotFound(Exception):
    """The identity, configuration set or topic asked about does not exist."""


class Unavailable(Exception):
    """The answer could not be had; the message is the reason, for a "could not check" line."""


class BadCredentials(Unavailable):
    """AWS rejected the credentials themselves (not one permission)."""


class Aws:
    """boto3 clients for one region and endpoint, created on first use."""

    def __init__(self, region: str, endpoint_url: str = "") -> None:
        """`region` and `endpoint_url` as in `[sender]` (an empty endpoint: AWS's own)."""
        self.region = region
        self.endpoint_url = endpoint_url or None
        self.session = boto3.session.Session(region_name=self.region)
        self.config = Config(
            connect_timeout=3, read_timeout=10, retries={"max_attempts": 1, "mode": "standard"}
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self.unreachable = ""

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service, region_name=key[1], endpoint_url=self.endpoint_url, config=self.config
            )
        return self._clients[key]

    def call(
        self, service: str, operation: str, *, region: str | None = None, **kwargs: Any
    ) -> Any:
        """`client.operation(**kwargs)`; raises `NotFound` or `Unavailable`, nothing else."""
        if self.unreachable:
            raise Unavailable(self.unreachable)
        action = f"{_IAM_PREFIX.get(service, service)}:{_pascal(operation)}"
        try:
            method = getattr(self.client(service, region), operation)
            return method(**kwargs)
        except ClientError as exc:
            raise _client_error(exc, action) from None
        except NoCredentialsError:
            raise Unavailable("no AWS credentials found") from None
        except (EndpointConnectionError, ConnectTimeoutError) as exc:
            self.unreachable = f"cannot reach the AWS endpoint ({_one_line(exc)})"
            raise Unavailable(self.unreachable) from None
        except ResponseParserError:
            raise Unavailable(
                f"the endpoint gave no readable answer to {action} (not implemented there?)"
            ) from None
        except BotoCoreError as exc:
            raise Unavailable(f"{action}: {_one_line(exc)}") from None

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def _client_error(exc: Any, action: str) -> Exception:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    message = _one_line(error.get("Message", "") or exc)
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    if code in _NOT_FOUND:
        return NotFound(message)
    if code in _DENIED:
        return Unavailable(f"access denied to {action} (allow it in the IAM policy)")
    if code in _BAD_CREDENTIALS:
        return BadCredentials(f"AWS rejected the credentials: {code}: {message}")
    if code in _UNIMPLEMENTED or (status == 404 and "<html" in message.lower()):
        return Unavailable(f"the endpoint does not implement {action}")
    return Unavailable(f"{action}: {code}: {message}")


def _pascal(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_"))


def _one_line(value: Any) -> str:
    text = re.sub(r"<[^>]+>", " ", str(value))  # an HTML error page from a local endpoint
    return " ".join(text.split())[:200]
