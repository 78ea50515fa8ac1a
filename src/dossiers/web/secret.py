"""The web view's private signing key: 32 random bytes made once, kept in a 0600 file outside
the repository and the database (by default $XDG_DATA_HOME/dossiers/web-secret.key, else
[web] key_file). It signs the session cookies and seals the calendar tokens."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dossiers.private_files import private_folder

KEY_BYTES = 32


def default_key_path(data_home: str | None, home: Path) -> Path:
    base = Path(data_home) if data_home else home / ".local" / "share"
    return base / "dossiers" / "web-secret.key"


def key_path(configured: str | None) -> Path:
    if configured:
        return Path(configured)
    return default_key_path(os.environ.get("XDG_DATA_HOME"), Path.home())


def load_key(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return data if len(data) >= KEY_BYTES else None


def load_or_create_key(path: Path) -> bytes:
    """The key in `path`, made (0600, folder 0700) the first time; two processes starting at
    once agree on the first one written (O_EXCL)."""
    found = load_key(path)
    if found is not None:
        return found
    private_folder(path.parent)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        found = load_key(path)
        if found is None:
            raise
        return found
    with os.fdopen(descriptor, "wb") as target:
        target.write(key)
    return key
