"""Form bodies as a browser sends them: urlencoded (the default) or multipart.

Starlette's own form parser needs python-multipart; a signup form has three
short text fields, so the standard library does: `parse_qsl` for urlencoded and
the `email` parser for multipart (a multipart body is a MIME message). Files
are ignored, the first value of a repeated field wins.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qsl


class FormError(ValueError):
    """A body that is not a form we can read; the message says why."""


def parse_form(content_type: str, body: bytes) -> dict[str, str]:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in ("", "application/x-www-form-urlencoded"):
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:  # a raw or percent-encoded byte that is not UTF-8
            raise FormError('the form is not UTF-8 (add accept-charset="utf-8")') from None
        fields: dict[str, str] = {}
        for name, value in pairs:
            fields.setdefault(name, value)
        return fields
    if kind == "multipart/form-data":
        return _multipart(content_type, body)
    raise FormError(f"unsupported content type {kind!r}")


def _multipart(content_type: str, body: bytes) -> dict[str, str]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    try:
        message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    except (ValueError, TypeError, UnicodeError):
        raise FormError("the multipart body cannot be read") from None
    if not message.is_multipart():
        raise FormError("the multipart body has no parts")
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            value = payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise FormError(f"field {name!r} is not {charset} text") from None
        fields.setdefault(name, value)
    return fields
