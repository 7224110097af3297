"""In-process sliding windows over FAILED login and enrollment attempts.

A key (an account or a client address) that failed ``limit`` times within ``window`` seconds is
refused with 429 and ``Retry-After`` until its oldest failure leaves the window. Successful
attempts are not counted. The state lives in this process: a restart forgets it, and several
server processes each count on their own.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from kerawanan.errors import RateLimited

MAX_KEYS = 100_000   # beyond this, forget keys whose failures all left the window


class SlidingWindow:
    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Raise ``RateLimited`` when ``key`` has used up its failures."""
        now = self.clock()
        with self._lock:
            failures = self._recent(key, now)
            if len(failures) < self.limit:
                return
            retry_after = math.ceil(failures[0] + self.window - now)
        raise RateLimited("Terlalu banyak percobaan gagal. Coba lagi nanti.",
                          message_en="Too many failed attempts. Try again later.",
                          retry_after=retry_after)

    def fail(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._failures) > MAX_KEYS:
                self._forget_stale(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def _forget_stale(self, now: float) -> None:
        for key in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window]:
            del self._failures[key]
