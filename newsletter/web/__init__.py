"""web: the two small web faces of the product, on Starlette under uvicorn.

- `newsletter serve`: the public app (`app.create_app(settings)`): signup by double opt-in
  (`signup`), unsubscribe pages and RFC 8058 one-click (`unsubscribe`), the SES feedback
  webhook (`feedback.webhook`, verified by `feedback.sns`), `/healthz`, a JSON access log
  (`access_log`).
- `newsletter preview`: the edition on 127.0.0.1 (`preview`, `preview_routes`).
- `newsletter feedback poll`: the same feedback from SQS (`feedback.sqs_poll`).

Nothing here is imported by `newsletter.cli` at start-up.
"""
