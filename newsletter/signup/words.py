"""The words of the signup pages and the confirmation mail, in the list's language (ko | en).

The answer to a signup never says whether the address was already known; the
wording ("if this address can receive …") is true in every case.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "form_title": "Subscribe to {list}",
        "promise": (
            "One email a day at {time} ({zone} time). Every message has a one-click "
            "unsubscribe link."
        ),
        "email_label": "Email address",
        "name_label": "Name (optional)",
        "trap_label": "Leave this field empty",
        "subscribe_button": "Subscribe",
        "privacy": "We send a confirmation link first; nothing else arrives until you press it.",
        "bad_address": "This does not look like an email address: {reason}",
        "bad_address_plain": "This does not look like an email address.",
        "empty_address": "Please enter your email address.",
        "unsupported_address": "Addresses with non-Latin letters before the @ cannot get mail yet.",
        "sent_title": "Check your inbox",
        "sent_body": (
            "If {address} can receive {list}, a message with a confirmation link is on its "
            "way. Open it and press the button to start; the link works for {days} days. "
            "If you are already subscribed, nothing changes."
        ),
        "busy_title": "Too many signups from your network",
        "busy_body": "Please try again in an hour.",
        "bad_form_title": "This form could not be read",
        "bad_form_body": "Please use the form at {url}.",
        "confirm_title": "Confirm your subscription",
        "confirm_body": "Start sending {list} to {address}?",
        "confirm_button": "Confirm subscription",
        "done_title": "You are subscribed",
        "done_body": "{list} will come to your inbox. {promise}",
        "invalid_title": "This link does not work",
        "invalid_body": (
            "The link may be incomplete or changed. Open the whole link from the email again, "
            "or enter your address at {url} to get a new one."
        ),
        "expired_title": "This link has expired",
        "expired_body": (
            "Confirmation links work for {days} days. Enter your address at {url} to get a new one."
        ),
        "stale_title": "This link is no longer valid",
        "stale_body": (
            "Something changed since this link was sent. Enter your address at {url} to get a "
            "new one."
        ),
        "subject": "Confirm your subscription to {list}",
        "mail_hello": "Hello,",
        "mail_intro": "Please confirm that you want to receive {list}.",
        "mail_button": "Yes, subscribe me",
        "mail_expires": "The link works until {expires}.",
        "mail_ignore": (
            "If you did not ask for this, ignore this message: without your confirmation "
            "nothing more will be sent to you."
        ),
    },
    "ko": {
        "form_title": "{list} 구독하기",
        "promise": (
            "매일 {time}({zone} 기준)에 메일 한 통이 도착합니다. 모든 메일에 한 번의 클릭으로 "
            "수신을 거부할 수 있는 링크가 있습니다."
        ),
        "email_label": "이메일 주소",
        "name_label": "이름 (선택)",
        "trap_label": "이 칸은 비워 두세요",
        "subscribe_button": "구독하기",
        "privacy": (
            "먼저 확인 링크를 보내 드립니다. 링크를 누르기 전에는 다른 메일이 가지 않습니다."
        ),
        "bad_address": "이메일 주소 형식이 아닙니다: {reason}",
        "bad_address_plain": "이메일 주소 형식이 아닙니다.",
        "empty_address": "이메일 주소를 입력해 주세요.",
        "unsupported_address": (
            "@ 앞에 한글 등 라틴 문자가 아닌 글자가 있는 주소는 아직 받을 수 없습니다."
        ),
        "sent_title": "메일함을 확인해 주세요",
        "sent_body": (
            "{address} 주소로 {list} 메일을 받을 수 있다면 확인 링크가 담긴 메일이 발송됩니다. "
            "메일을 열고 버튼을 눌러 주세요. 링크는 {days}일 동안 유효합니다. "
            "이미 구독 중이라면 달라지는 것은 없습니다."
        ),
        "busy_title": "이 네트워크에서 구독 신청이 너무 많습니다",
        "busy_body": "한 시간 뒤에 다시 시도해 주세요.",
        "bad_form_title": "신청서를 읽을 수 없습니다",
        "bad_form_body": "{url} 의 신청서를 이용해 주세요.",
        "confirm_title": "구독 확인",
        "confirm_body": "{address} 주소로 {list} 메일을 받으시겠어요?",
        "confirm_button": "구독 확인하기",
        "done_title": "구독되었습니다",
        "done_body": "이제 {list} 메일이 발송됩니다. {promise}",
        "invalid_title": "사용할 수 없는 링크입니다",
        "invalid_body": (
            "링크가 잘렸거나 바뀌었을 수 있습니다. 이메일의 링크 전체를 다시 열거나, "
            "{url} 에서 주소를 다시 입력해 새 링크를 받아 주세요."
        ),
        "expired_title": "링크의 유효 기간이 지났습니다",
        "expired_body": (
            "확인 링크는 {days}일 동안 유효합니다. {url} 에서 주소를 다시 입력해 새 링크를 "
            "받아 주세요."
        ),
        "stale_title": "더 이상 유효하지 않은 링크입니다",
        "stale_body": (
            "링크가 발송된 뒤 구독 상태가 바뀌었습니다. {url} 에서 주소를 다시 입력해 새 링크를 "
            "받아 주세요."
        ),
        "subject": "{list} 구독을 확인해 주세요",
        "mail_hello": "안녕하세요.",
        "mail_intro": "{list} 메일을 받으시려면 구독을 확인해 주세요.",
        "mail_button": "네, 구독하겠습니다",
        "mail_expires": "링크는 {expires}까지 유효합니다.",
        "mail_ignore": (
            "직접 신청하지 않으셨다면 이 메일을 무시해 주세요. 확인하지 않으시면 더 이상 "
            "메일이 가지 않습니다."
        ),
    },
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])
