"""Files that hold personal data (the database, outbox .eml files, reports and calendars
written with -o): created readable by their owner only (0600, folders 0700), whatever the
umask; a file that exists keeps the permissions its owner gave it."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path) -> None:
    """Create `folder` (and its parents) if missing; the folder itself is made 0700.

    An existing folder keeps the permissions its owner gave it."""
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=FOLDER_MODE)
    except FileExistsError:
        return
    os.chmod(folder, FOLDER_MODE)  # mkdir's mode is masked by the umask


def private_file(path: Path) -> None:
    """Create an empty file 0600 if `path` does not exist yet (an existing file keeps its mode)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)


def open_private(path: Path | str) -> int:
    """A descriptor to write `path` from its start: a new file is 0600; an existing one is
    truncated and keeps the permissions its owner gave it."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return os.open(path, os.O_WRONLY | os.O_TRUNC)
    os.fchmod(descriptor, FILE_MODE)
    return descriptor


def write_private(path: Path, data: bytes) -> None:
    with os.fdopen(open_private(path), "wb") as target:
        target.write(data)


class UnsafeTarget(Exception):
    """A file given to write (`-o`) that we will not replace: a symbolic link (writing would
    change its target) or anything but a regular file (a FIFO, a device, a folder)."""

    def __init__(self, path: Path | str, kind: str) -> None:
        super().__init__(path, kind)
        self.path = str(path)
        self.kind = kind


_KINDS = ((stat.S_ISDIR, "dossier"), (stat.S_ISFIFO, "tube nommé (FIFO)"),
          (stat.S_ISCHR, "périphérique"), (stat.S_ISBLK, "périphérique"),
          (stat.S_ISSOCK, "socket"))


def replaceable(path: Path | str) -> os.stat_result | None:
    """The status of the regular file at `path` (the link itself is looked at, never followed),
    None when nothing is there; UnsafeTarget for a link or anything but a regular file."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(status.st_mode):
        raise UnsafeTarget(path, "lien symbolique")
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "fichier spécial")
        raise UnsafeTarget(path, kind)
    return status


def replace_private(path: Path | str, data: bytes | Iterable[bytes]) -> None:
    """Write beside `path`, then rename over it: a reader sees the old file or the new one,
    never half of it, and a failure while writing keeps the old file. Only a regular file is
    replaced (UnsafeTarget otherwise; the rename never follows a link). An existing file keeps
    its permissions (and group, when we may); a new one is 0600. Nothing is left behind."""
    existing = replaceable(path)
    folder = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=".dossiers-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as target:
            if existing is not None:
                os.fchmod(target.fileno(), stat.S_IMODE(existing.st_mode))
                with contextlib.suppress(OSError):
                    os.fchown(target.fileno(), -1, existing.st_gid)
            for chunk in [data] if isinstance(data, bytes) else data:
                target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
        replaceable(path)  # again: what is there may have changed while we wrote
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
