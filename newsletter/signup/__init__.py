"""signup: the public way onto the list, by double opt-in (the rules; the HTTP face is
`newsletter.web.signup`).

`GET /subscribe` shows a small form; `POST /subscribe` (the form, or a plain HTML
form on another site) asks for a confirmation mail; the link in it,
`/confirm/{token}`, shows a button whose POST makes the subscriber active and
records the consent (time, IP, user agent) in the event history.

Why the pieces look the way they do:
- No membership oracle. The answer to `POST /subscribe` is computed from the
  form alone (and the per-IP limit, which depends on the sender, not the
  address): same status, same page, whether the address is new, pending,
  active, suppressed or forgotten. Everything that looks at the address — the
  lookup, the per-address limit, the pending row, the mail — runs after the
  response has been sent (a background task), so timing tells nothing either.
- No CSRF token, on purpose. The form must work when posted from another site,
  and the only thing a forged cross-site POST can do is send one confirmation
  mail (rate limited) to the address it typed; nothing changes until somebody
  who can read that mailbox opens the link and presses the button. The confirm
  POST needs the emailed token, which a third party does not have.
- GET never changes anything: mail scanners open every link in a message.
- Abuse limits live in the database (`limits`), so they hold across restarts
  and across several `serve` processes.

Modules: `limits` (rate limits), `reasons` (why an address was refused),
`mail` (the confirmation message), `service` (the rules, used by the web app, by
`subscribers add --confirm` and by the daily purge). Their words are the `[signup]`
and `[refusal]` tables of the catalogs in newsletter/i18n. In `web/`:
`signup` (the Starlette endpoints) and `forms` (request bodies).
"""
