"""Token buckets: how Amazon meters each SP-API operation, and how we stay under it.

Amazon publishes a rate (tokens added per second) and a burst (bucket size) per operation; a
request spends one token and is refused with 429 when the bucket is empty. The same bucket serves
the client (wait for a token before sending) and the fake server (refuse when there is none).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Float refills land a hair under a whole token; without slack a waiter would sleep 1e-17 s forever.
_EPSILON = 1e-9


class TokenBucket:
    """A thread-safe token bucket that starts full."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst}")
        self._rate = float(rate)
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def burst(self) -> int:
        return self._burst

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self._burst), self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    def try_acquire(self) -> bool:
        """Spend a token if one is there; never waits."""
        with self._lock:
            self._refill()
            if self._tokens >= 1.0 - _EPSILON:
                self._tokens -= 1.0
                return True
            return False

    def acquire(self) -> float:
        """Spend a token, waiting for one if needed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= 1.0 - _EPSILON:
                    self._tokens -= 1.0
                    return waited
                delay = (1.0 - self._tokens) / self._rate
            self._sleep(delay)
            waited += delay

    def drain(self) -> None:
        """Empty the bucket: after a 429 the server's bucket is empty, ours should be too."""
        with self._lock:
            self._refill()
            self._tokens = 0.0

    def set_rate(self, rate: float) -> None:
        """Adopt the rate the server says applies (`x-amzn-RateLimit-Limit`)."""
        if rate <= 0:
            return
        with self._lock:
            self._refill()
            self._rate = float(rate)
