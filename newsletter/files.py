"""Writing the edition's files so that nothing is ever half-written.

A reader (the preview server, a concurrent `send`, a web server) must see the old
file or the new one, and a failed write — a full disk, a read-only folder — must
leave the old file as it was and no temporary file behind. Every file the
pipeline writes goes through here: written to a temporary name in the same
folder, flushed to disk, then renamed over the target.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

#: Readable by a web server's user; mkstemp's own 0600 would hide the edition.
FILE_MODE = 0o644


class WriteFailed(OSError):
    """A file could not be written; `filename` is the target, `strerror` the reason."""

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


def write_atomically(path: Path, content: str | bytes) -> None:
    """Replace `path` with `content` (text is UTF-8 with `\\n` line ends) in one step."""
    replace_together({path: content})


def replace_together(files: Mapping[Path, str | bytes]) -> None:
    """Write every file to a temporary name first, then rename them all into place.

    When any write fails (the usual case: the disk filled up) no target has been
    touched yet, so a set such as email.html/email.txt/post.md never mixes two renders.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, content in files.items():
            staged.append((_stage(path, content), path))
        for temporary, path in staged:
            _rename(temporary, path)
    except BaseException:
        for temporary, _path in staged:
            Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def replacing(path: Path) -> Iterator[TextIO]:
    """A text file (UTF-8, lines as written) for a file the user named, such as an export.

    Written to a temporary name beside the target and renamed over it only when the
    writer finished, so an interrupted export leaves the old file and no part file.
    A target that is not a regular file — /dev/stdout, /dev/null, a named pipe — is
    written in place: a rename would replace the device with a plain file. A symlink
    keeps pointing where it did: the file it names is the one replaced.
    """
    target = path.resolve()
    if target.exists() and not target.is_file():
        with target.open("w", encoding="utf-8", newline="") as out:
            yield out
        return
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())  # as `_stage` does: never an empty file after a crash
        os.chmod(temporary, FILE_MODE)
        _rename(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _stage(path: Path, content: str | bytes) -> str:
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise _failed(exc, path) from exc
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            os.fsync(handle)
        finally:
            os.close(handle)
        os.chmod(temporary, FILE_MODE)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _failed(exc, path) from exc
        raise
    return temporary


def _rename(temporary: str, path: Path) -> None:
    try:
        os.replace(temporary, path)
    except OSError as exc:
        raise _failed(exc, path) from exc


def _failed(exc: OSError, path: Path) -> WriteFailed:
    return WriteFailed(exc.errno, exc.strerror or str(exc) or type(exc).__name__, str(path))
