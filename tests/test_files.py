"""`newsletter.files`: a failed write leaves the old file and no temporary file behind."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from newsletter.files import WriteFailed, replace_together, replacing, write_atomically
from newsletter.send.transports.outbox import OutboxTransport
from tests.fixtures.pipe import through_pipe


def no_space_after(calls: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """`os.write` works `calls` times, then answers ENOSPC like a full disk."""
    real = os.write
    left = [calls]

    def write(fd: int, data: bytes) -> int:
        if left[0] == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        left[0] -= 1
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


def test_a_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "email.txt"
    target.write_text("old", encoding="utf-8")

    write_atomically(target, "새 판\n" * 10_000)

    assert target.read_text(encoding="utf-8") == "새 판\n" * 10_000
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["email.txt"]


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "email.html"
    target.write_text("<p>yesterday</p>", encoding="utf-8")
    no_space_after(0, monkeypatch)

    with pytest.raises(WriteFailed) as failed:
        write_atomically(target, "<p>today</p>")

    assert str(failed.value) == f"cannot write {target}: No space left on device"
    assert failed.value.errno == errno.ENOSPC
    assert target.read_text(encoding="utf-8") == "<p>yesterday</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["email.html"]


def test_files_written_together_change_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = {tmp_path / name: f"old {name}" for name in ("email.html", "email.txt", "post.md")}
    for path, text in old.items():
        path.write_text(text, encoding="utf-8")
    no_space_after(2, monkeypatch)  # the first two files are staged, the third fails

    with pytest.raises(WriteFailed, match=r"post\.md: No space left on device"):
        replace_together({path: f"new {path.name}" for path in old})

    assert {path: path.read_text(encoding="utf-8") for path in old} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["email.html", "email.txt", "post.md"]


def test_a_folder_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "editions").write_text("not a folder", encoding="utf-8")
    target = tmp_path / "editions" / "items.json"

    with pytest.raises(WriteFailed) as failed:
        write_atomically(target, "[]")

    assert str(failed.value) == f"cannot write {target}: Not a directory"


def test_the_outbox_removes_its_temporary_file_when_the_disk_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = OutboxTransport(tmp_path / "outbox")
    outbox.send(b"Subject: one\r\n\r\nfirst", recipient="a@example.com", tags={})
    no_space_after(0, monkeypatch)

    with pytest.raises(WriteFailed, match="No space left on device"):
        outbox.send(b"Subject: two\r\n\r\nsecond", recipient="b@example.com", tags={})

    names = [path.name for path in (tmp_path / "outbox").iterdir()]
    assert len(names) == 1 and names[0].startswith("a@example.com-")
    assert names[0].endswith(".eml")


def test_a_named_file_is_replaced_whole_and_an_interrupted_write_keeps_the_old(
    tmp_path: Path,
) -> None:
    target = tmp_path / "list.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), replacing(target) as out:
        out.write("half of the new\n")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["list.csv"]  # no part file left
    with replacing(target) as out:
        out.write("new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_symlink_keeps_pointing_at_the_file_it_names(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with replacing(link) as out:
        out.write("new\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new\n"


def test_a_pipe_is_written_in_place_not_replaced_by_a_file(tmp_path: Path) -> None:
    """`export /dev/stdout`, or `/dev/null`: renaming over a device replaced it with a
    plain file (as root, /dev/null itself). A named pipe stands in for the devices."""

    def export() -> None:
        with replacing(tmp_path / "pipe") as out:
            out.write("email\nana@example.com\n")

    _, received = through_pipe(tmp_path / "pipe", export)
    assert received == "email\nana@example.com\n"
