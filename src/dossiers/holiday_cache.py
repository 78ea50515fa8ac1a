"""A file cache of the zones' public holidays, so that a short command (`plan`) does not
import the whole `holidays` package each time.

The dates still come from the package (R-CAL-2); the cache is keyed by the package's
install (its path and modification time), so an upgrade starts a new cache.
"""

from __future__ import annotations

import json
import os
from datetime import MAXYEAR, MINYEAR, date
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from dossiers.deadlines.business_days import package_holidays

# On a miss, the cache takes this many years before and after the one asked for.
NEIGHBOUR_YEARS = 10


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
            # The years around it too, in one go and one write: a run that lacks one year of
            # a zone usually needs its neighbours next.
            span = range(max(MINYEAR, year - NEIGHBOUR_YEARS),
                         min(MAXYEAR, year + NEIGHBOUR_YEARS) + 1)
            for each, days in package_holidays(zone, span).items():
                self._dates.setdefault(f"{zone}:{each}", sorted(d.isoformat() for d in days))
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


@cache
def holidays_release() -> str:
    """The installed release of holidays, as importlib.metadata.version("holidays") gives it,
    read from the head of the METADATA file beside the package: importlib.metadata looks for
    it along the whole path and parses all of the file, whose long description is most of it
    (every command stamps or checks the stored timelines with this release)."""
    spec = find_spec("holidays")
    if spec is not None and spec.origin:
        found = list(Path(spec.origin).parent.parent.glob("holidays-*.dist-info"))
        if len(found) == 1:
            try:
                with open(found[0] / "METADATA", encoding="utf-8") as metadata:
                    for line in metadata:
                        key, colon, value = line.partition(":")
                        if not line.strip() or not colon:
                            break  # the end of the headers
                        if key == "Version":
                            return value.strip()
            except (OSError, UnicodeDecodeError):
                pass
    from importlib.metadata import version

    return version("holidays")
