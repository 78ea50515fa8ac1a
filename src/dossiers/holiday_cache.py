"""A file cache of the zones' public holidays, so that a short command (`plan`) does not
import the whole `holidays` package each time.

The dates still come from the package (R-CAL-2); the cache is keyed by the package's
install (its path and modification time), so an upgrade starts a new cache.
"""

from __future__ import annotations

import json
import os
from datetime import date
from importlib.util import find_spec
from pathlib import Path

from dossiers.deadlines.business_days import holidays_from_package


class HolidayFileCache:
    def __init__(self, folder: Path) -> None:
        spec = find_spec("holidays")
        origin = Path(spec.origin) if spec and spec.origin else None
        stamp = f"{origin.stat().st_mtime_ns}" if origin else "unknown"
        self.path = folder / f"holidays-{stamp}.json"
        self._dates: dict[str, list[str]] = {}
        try:
            self._dates = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._dates = {}

    def __call__(self, zone: str, year: int) -> frozenset[date]:
        key = f"{zone}:{year}"
        if key not in self._dates:
            self._dates[key] = sorted(d.isoformat() for d in holidays_from_package(zone, year))
            self._save()
        return frozenset(date.fromisoformat(d) for d in self._dates[key])

    def _save(self) -> None:
        """Best effort: a cache that cannot be written only costs time."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self._dates), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            pass


def default_cache_folder(cache_home: str | None, home: Path) -> Path:
    """$XDG_CACHE_HOME/dossiers, else ~/.cache/dossiers."""
    return (Path(cache_home) if cache_home else home / ".cache") / "dossiers"
