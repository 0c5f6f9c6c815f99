"""The words of the web pages in the list's language (ko | en).

The pages name the list and never print an address in full: a forwarded email
or a shoulder-surfer must not learn whose link this is.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "confirm_title": "Unsubscribe from {list}",
        "confirm_body": "Stop sending {list} to this address?",
        "button": "Unsubscribe",
        "done_title": "You are unsubscribed",
        "done_body": "{list} will not be sent to you anymore. Nothing else is needed.",
        "invalid_title": "This link does not work",
        "invalid_body": (
            "The link may be incomplete. Open the whole link from the email again, or use "
            "the unsubscribe link of a more recent email."
        ),
    },
    "ko": {
        "confirm_title": "{list} 수신 거부",
        "confirm_body": "이 주소로 {list} 메일을 그만 받으시겠어요?",
        "button": "수신 거부하기",
        "done_title": "수신 거부되었습니다",
        "done_body": "앞으로 {list} 메일이 발송되지 않습니다. 더 하실 일은 없습니다.",
        "invalid_title": "사용할 수 없는 링크입니다",
        "invalid_body": (
            "링크가 잘렸거나 바뀌었을 수 있습니다. 이메일의 링크 전체를 다시 열거나, "
            "최근에 받은 메일의 수신 거부 링크를 이용해 주세요."
        ),
    },
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["en"])


def mask_address(email: str) -> str:
    """`m***@example.com`: enough for the owner to recognise, too little for anyone else."""
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"
