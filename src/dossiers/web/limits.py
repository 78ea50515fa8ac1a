"""Sign-in requests rate-limited per address and per client, in the server's memory (one
process: waitress's threads share it). Keys are SHA-256 digests, not the addresses."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=15)
PER_ADDRESS = 3
PER_CLIENT = 10


class RateLimiter:
    def __init__(self, window: timedelta = WINDOW) -> None:
        self.window = window
        self._seen: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def allow(self, kind: str, value: str, limit: int, now: datetime) -> bool:
        """Counts this request; False once `limit` requests were made within the window."""
        key = kind + ":" + hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()
        with self._lock:
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= limit:
                return False
            times.append(now)
            if len(self._seen) > 100_000:  # never grows without bound
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - self.window}
            return True
