"""Approval: with `approval = "manual"`, an edition waits for an editor before anyone gets it.

`daily` renders, mails each editor a test copy and stops (`awaiting`); `newsletter
approve` releases it (a running `schedule` notices within a minute and sends),
`newsletter reject` drops the day. The decision lives beside the edition in
`editions/D/approval.json` and names the exact `email.html` it was made on: an
edit and re-render after approval needs a new approval (the editors approved what
they read, not what came later). Past `approve_by` nothing is sent for that day —
an approval after the deadline is refused, and an approved edition that did not
start sending by then is skipped — so a subscriber never gets a stale edition.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from newsletter.editions import EditionLog
from newsletter.files import write_atomically
from newsletter.runtime import Runtime

FILE = "approval.json"
AWAITING = "awaiting"
APPROVED = "approved"
REJECTED = "rejected"
SKIPPED = "skipped"


#: Sends one test copy to an editor; returns the line to report ("test copy to a@… sent").
CopySender = Callable[[str], str]


class ApprovalError(Exception):
    """An approval or rejection that cannot be made; one line saying why."""


class NotManual(ApprovalError):
    """`approve` with `approval = "auto"`: nothing is held, so nothing can be released."""

    def __init__(self, config: Path) -> None:
        super().__init__(
            f'{config}: newsletter.approval is "auto": an edition goes out right after '
            'render and needs no approval (set approval = "manual" to hold editions)'
        )


@dataclass(frozen=True)
class Decision:
    state: str  # awaiting | approved | rejected | skipped
    at: str  # ISO time (UTC) of the decision
    by: str = ""
    reason: str = ""
    html_sha256: str = ""  # the email.html the decision was made on

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class Gate:
    """What `daily` does after render: `send` True, or stop with `line` said."""

    send: bool
    line: str = ""
    skipped: bool = False  # past approve_by: reported as a failure of the day
    approvable: bool = False  # awaiting: `approve` releases it (not so once rejected)


def read_decision(directory: Path) -> Decision | None:
    try:
        data = json.loads((directory / FILE).read_text(encoding="utf-8"))
        return Decision(**data)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise ApprovalError(f"{directory / FILE}: not a valid approval file ({exc})") from None


def rendered_fingerprint(directory: Path) -> str:
    try:
        return hashlib.sha256((directory / "email.html").read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def gate(
    runtime: Runtime, day: date, now: datetime, editions: EditionLog, say_copy: CopySender
) -> Gate:
    """Decide, for `daily`, whether the rendered edition of `day` may go out now.

    A rejection holds in either approval mode: `reject` promises nothing goes out
    that day, and an operator may render by hand, look, and say no without manual
    approval configured.
    """
    directory = runtime.paths.edition_dir(day)
    decision = read_decision(directory)
    if decision is not None and decision.state == REJECTED:
        editions.hold(day, REJECTED, _rejected_reason(decision))
        return Gate(False, f"approval: {_rejected_reason(decision)}; nothing sent")
    if runtime.settings.newsletter.approval != "manual":
        return Gate(send=True)
    current = rendered_fingerprint(directory)
    deadline = runtime.settings.approval_deadline(day)
    late = deadline is not None and now > deadline
    if decision is not None and decision.state == SKIPPED:
        editions.hold(day, SKIPPED, decision.reason)
        return Gate(False, f"approval: skipped: {decision.reason}", skipped=True)
    approved = (
        decision is not None and decision.state == APPROVED and decision.html_sha256 == current
    )
    if late:
        assert deadline is not None
        by = deadline.strftime("%H:%M")
        reason = (
            f"approved, but too late to go out by approve_by {by}; nothing sent"
            if approved
            else f"not approved by approve_by {by}; nothing sent"
        )
        _write(directory, Decision(SKIPPED, _iso(now), reason=reason, html_sha256=current))
        editions.hold(day, SKIPPED, reason)
        return Gate(False, f"approval: skipped: {reason}", skipped=True)
    if approved:
        assert decision is not None
        return Gate(True, f"approval: approved by {decision.by} at {decision.at}")
    if decision is None or decision.state != AWAITING or decision.html_sha256 != current:
        # first time, or the edition changed since: the editors look again
        _write(directory, Decision(AWAITING, _iso(now), html_sha256=current))
        copies = [say_copy(address) for address in runtime.settings.newsletter.editors]
        editions.hold(day, AWAITING, _awaiting_reason(runtime, day))
        lines = "; ".join(copies)
        return Gate(
            False, f"approval: awaiting approval ({lines}){_until(runtime, day)}", approvable=True
        )
    editions.hold(day, AWAITING, _awaiting_reason(runtime, day))
    return Gate(False, f"approval: still awaiting approval{_until(runtime, day)}", approvable=True)


def approve(runtime: Runtime, day: date, now: datetime, by: str = "") -> Decision:
    """Release the edition of `day`; ApprovalError when it cannot be (approval is not
    manual, not rendered, past its deadline, rejected, already sent)."""
    if runtime.settings.newsletter.approval != "manual":
        raise NotManual(runtime.settings.path)
    directory = runtime.paths.edition_dir(day)
    current = rendered_fingerprint(directory)
    if not current:
        raise ApprovalError(f"{directory / 'email.html'}: not rendered; nothing to approve")
    decision = read_decision(directory)
    if decision is not None and decision.state in (REJECTED, SKIPPED):
        raise ApprovalError(f"the edition of {day} was {decision.state}: {decision.reason}")
    deadline = runtime.settings.approval_deadline(day)
    if deadline is not None and now > deadline:
        raise ApprovalError(
            f"too late: approve_by {deadline.strftime('%H:%M')} on {day} has passed; "
            "the day is skipped, nothing is sent"
        )
    approved = Decision(APPROVED, _iso(now), by or _who(), html_sha256=current)
    _write(directory, approved)
    return approved


def reject(runtime: Runtime, day: date, now: datetime, reason: str = "", by: str = "") -> Decision:
    directory = runtime.paths.edition_dir(day)
    decision = read_decision(directory)
    record = runtime.editions.get(day)
    if record is not None and record.sending_at is not None:
        raise ApprovalError(f"the edition of {day} has already begun to go out")
    if decision is not None and decision.state == REJECTED:
        return decision
    rejected = Decision(REJECTED, _iso(now), by or _who(), reason.strip())
    _write(directory, rejected)
    runtime.editions.hold(day, REJECTED, _rejected_reason(rejected))
    return rejected


@dataclass(frozen=True)
class Hold:
    """Why the edition may not be sent now; `approvable`: approving it would release it."""

    reason: str
    approvable: bool = False


def released(runtime: Runtime, day: date, now: datetime) -> Hold | None:
    """None when the edition of `day` may be sent now, else why not (for a plain send)."""
    directory = runtime.paths.edition_dir(day)
    decision = read_decision(directory)
    if decision is not None and decision.state == REJECTED:  # in either mode, as in `gate`
        return Hold(f"the edition of {day} was {decision.state}: {decision.reason}")
    if runtime.settings.newsletter.approval != "manual":
        return None
    if decision is None or decision.state == AWAITING:
        return Hold(f"the edition of {day} is awaiting approval{_until(runtime, day)}", True)
    if decision.state != APPROVED:
        return Hold(f"the edition of {day} was {decision.state}: {decision.reason}")
    if decision.html_sha256 != rendered_fingerprint(directory):
        return Hold(f"email.html of {day} changed after its approval; approve it again", True)
    deadline = runtime.settings.approval_deadline(day)
    if deadline is not None and now > deadline:
        return Hold(f"too late: approve_by {deadline.strftime('%H:%M')} on {day} has passed")
    return None


def due(runtime: Runtime, now: datetime) -> list[date]:
    """Held editions `daily` should look at again now: approved, or past their deadline
    (so a running `schedule` sends the one and reports the other)."""
    if runtime.settings.newsletter.approval != "manual":
        return []
    editions = runtime.editions
    found = []
    for record in editions.recent(14):
        if record.stage != AWAITING:
            continue
        day = date.fromisoformat(record.edition)
        try:
            decision = read_decision(runtime.paths.edition_dir(day))
        except ApprovalError:
            continue
        deadline = runtime.settings.approval_deadline(day)
        if (decision is not None and decision.state in (APPROVED, REJECTED)) or (
            deadline is not None and now > deadline
        ):
            found.append(day)
    return sorted(found)


def _awaiting_reason(runtime: Runtime, day: date) -> str:
    editors = ", ".join(runtime.settings.newsletter.editors)
    return f"test copy sent to {editors}; awaiting approval{_until(runtime, day)}"


def _until(runtime: Runtime, day: date) -> str:
    """ " until HH:MM" when the edition has an approval deadline (what to run is the
    caller's to say: the CLI adds its `approve` command)."""
    deadline = runtime.settings.approval_deadline(day)
    return f" until {deadline.strftime('%H:%M')}" if deadline else ""


def _rejected_reason(decision: Decision) -> str:
    by = f" by {decision.by}" if decision.by else ""
    why = f": {decision.reason}" if decision.reason else ""
    return f"rejected{by}{why}"


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _write(directory: Path, decision: Decision) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    write_atomically(directory / FILE, decision.to_json())
