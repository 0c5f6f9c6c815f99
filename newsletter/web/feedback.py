"""`POST /feedback/ses`: the Amazon SNS HTTP(S) endpoint for SES feedback.

Verification (`feedback.sns`), reading (`feedback.ses`) and recording
(`feedback.record`) live in `newsletter.feedback`; this is the HTTP face.

Order matters: the body is size-capped, then verified (topic, certificate host,
signature) before anything is read from it; only then is a subscription
confirmed or a notification recorded. Answers: 200 when handled (also for a
redelivered MessageId, which changes nothing: SNS delivers at least once and
would retry a refusal), 400 for a body that is not an SNS message, 403 for one
that is not trusted, 413 for an oversized body.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from newsletter.feedback.intake import Intake
from newsletter.feedback.record import MalformedNotification
from newsletter.feedback.sns import SnsRejected, SnsVerifier
from newsletter.web.bodies import BodyTooLarge, read_body
from newsletter.web.offload import Offload

MAX_BODY = 256 * 1024  # SNS messages are at most 256 KB
log = logging.getLogger("newsletter.web.feedback")


def sns_key(message_id: str) -> str:
    """The idempotency key of an SNS message, the same whether it came by HTTP or SQS."""
    return f"sns:{message_id}"


class SesFeedbackEndpoint:
    def __init__(self, verifier: SnsVerifier, intake: Intake, offload: Offload) -> None:
        self.verifier = verifier
        self.intake = intake
        self.offload = offload

    async def handle(self, request: Request) -> JSONResponse:
        try:
            body = await read_body(request, MAX_BODY)
        except BodyTooLarge:
            return _answer(413, "rejected", "body too large")
        try:
            # verification may download a certificate: keep it off the event loop
            message = await self.offload.read(self.verifier.verify, body)
        except SnsRejected as exc:
            log.warning("SNS message rejected: %s", exc)
            return _answer(exc.status, "rejected", str(exc))
        if message.type == "SubscriptionConfirmation":
            try:
                await self.offload.read(self.verifier.confirm, message)
            except Exception as exc:
                log.warning("could not confirm the SNS subscription: %s", exc)
                return _answer(502, "error", "could not confirm the subscription")
            log.info("confirmed the SNS subscription to %s", message.topic_arn)
            return _answer(200, "confirmed")
        if message.type == "UnsubscribeConfirmation":
            log.warning("SNS unsubscribed this endpoint from %s", message.topic_arn)
            return _answer(200, "ignored")
        try:
            taken = await self.offload.write(
                self.intake.take, sns_key(message.message_id), message.message, "sns"
            )
        except MalformedNotification as exc:
            # signed by SNS yet not an SES notification: a retry would not fix it
            log.warning("SNS message %s: %s", message.message_id, exc)
            return _answer(200, "ignored", str(exc))
        if not taken.relevant and not taken.outcome.duplicate:
            return _answer(200, "ignored")
        return JSONResponse(taken.to_json())


def _answer(status: int, word: str, reason: str = "") -> JSONResponse:
    content: dict[str, Any] = {"status": word}
    if reason:
        content["reason"] = reason
    return JSONResponse(content, status_code=status)
