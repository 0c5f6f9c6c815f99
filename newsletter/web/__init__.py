"""web: the two small web faces of the product, on Starlette under uvicorn.

- `newsletter serve`: the public app (`app.create_app(runtime)`): signup by double opt-in
  (`signup`, `forms`; the rules in `newsletter.signup`), unsubscribe pages and RFC 8058
  one-click (`unsubscribe`), the SES feedback webhook (`feedback`; verified and recorded by
  `newsletter.feedback`), `/healthz`, a JSON access log (`access_log`).
- `newsletter preview`: the edition on 127.0.0.1 (`preview`, `preview_routes`).

Only routes, pages, forms and the app factory live here: nothing outside `web/` and
`cli/` imports it.

Nothing here is imported by `newsletter.cli` at start-up.
"""
