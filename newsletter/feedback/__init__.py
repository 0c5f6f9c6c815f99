"""feedback: bounces and complaints, from whichever way they arrive, recorded once.

- `sns`: Amazon SNS message verification (the envelope of the webhook).
- `ses`: Amazon SES notifications read into the provider-neutral `record.Feedback`;
  another provider would get a file beside it.
- `record`: what a bounce or complaint does to a subscriber, exactly once per message.
- `sqs`: `newsletter feedback poll`, the same notifications drained from an SQS queue.
- `retention`: the daily pruning of feedback bookkeeping.

Its tables (`feedback_messages`, `transient_bounces`) are in `newsletter.schema`.

The HTTP endpoint (`POST /feedback/ses`) is `newsletter.web.feedback`.
"""
