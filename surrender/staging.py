"""Files staged beside their destination and put in place whole (payment exports, claim packs,
backups): a file under the destination's name is always complete, and a run killed part-way
leaves only a staged file, recognisable by its name, that the next run removes or finishes.

A staged file is created empty, owner-only and held under an exclusive lock for as long as its
maker works on it: a lock a later run can take means the maker is gone (the kernel drops it
with the process).
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable
from pathlib import Path

STAGED_MARK = ".surrender-staged-"  # in every staged file's name, so a later run can recognise it


def staged_path(destination: Path, token: str) -> Path:
    return destination.parent / f".{destination.name}{STAGED_MARK}{token}"


def is_staged_name(name: str) -> bool:
    return name.startswith(".") and STAGED_MARK in name


def _no_checkpoint(stage: str) -> None:
    """The default for `place`: no crash point between the stages."""


def sync_folder(folder: Path) -> None:
    """Make a file's creation, link or removal in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StagedFile:
    """An owner-only file beside its destination, created empty and held under an exclusive
    lock for as long as this process works on it: a lock a later run can take means the
    process that made the file is gone (the kernel drops it with the process)."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        sync_folder(path.parent)

    def _open_fd(self) -> int:
        if self.fd is None:
            raise ValueError(f"staged file {self.path} is already closed")
        return self.fd

    def fill(self, content: bytes) -> None:
        """Write the whole content and sync it (again from the start if called again)."""
        fd = self._open_fd()
        os.ftruncate(fd, 0)
        view, offset = memoryview(content), 0
        while offset < len(view):
            offset += os.pwrite(fd, view[offset:], offset)
        os.fsync(fd)

    def place(self, destination: Path, checkpoint: Callable[[str], None] = _no_checkpoint) -> None:
        """Link into place, never over an existing file, then drop the staged name."""
        place(self.path, destination, checkpoint)

    def discard(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
            sync_folder(self.path.parent)
        finally:
            self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def place(staged: Path, destination: Path, checkpoint: Callable[[str], None] = _no_checkpoint) -> None:
    os.link(staged, destination)  # FileExistsError if anything is there: nothing is replaced
    sync_folder(destination.parent)
    checkpoint("linked")
    staged.unlink()
    sync_folder(staged.parent)


MISSING, BUSY = -1, -2


def claim_abandoned(path: Path) -> int:
    """An open descriptor holding the lock of a staged file whose maker has gone; MISSING if
    there is no such file, BUSY if its maker is still at work on it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return MISSING
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return BUSY
        raise
    return fd


def remove_abandoned(folder: Path, kind: str = "", keep: frozenset[str] | set[str] = frozenset()) -> list[Path]:
    """Remove the staged files in `folder` whose makers are gone: those whose token starts with
    `kind` (every staged file if empty), except the paths in `keep` (files a record still
    needs). Returns what was removed."""
    removed: list[Path] = []
    try:
        names = [n for n in os.listdir(folder) if is_staged_name(n) and n.split(STAGED_MARK, 1)[1].startswith(kind)]
    except OSError:
        return removed
    for name in names:
        path = folder / name
        if str(path) in keep:
            continue
        fd = claim_abandoned(path)
        if fd in (BUSY, MISSING):
            continue
        try:
            path.unlink(missing_ok=True)
            sync_folder(folder)
            removed.append(path)
        finally:
            os.close(fd)
    return removed
