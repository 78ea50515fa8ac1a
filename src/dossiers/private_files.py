"""Files that hold personal data (the database, outbox .eml files, reports written with -o):
created readable by their owner only (0600, folders 0700), whatever the umask."""

from __future__ import annotations

import os
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


def replace_private(path: Path | str, data: bytes) -> None:
    """Write beside `path`, then rename over it: a reader sees the old file or the new one,
    never half of it. The new file is 0600 (mkstemp); on failure nothing is left behind."""
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=".dossiers-", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as target:
            target.write(data)
        os.replace(temporary, path)
    except OSError:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
