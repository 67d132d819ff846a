"""The token bucket the sync waits on and the fake SP-API refuses with, on a fake clock."""

from __future__ import annotations

import pytest

from recovery.sources.throttle import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_full_bucket_allows_the_burst_then_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(10.0, 3, clock=clock, sleep=clock.sleep)
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert not bucket.try_acquire()
    assert bucket.acquire() == pytest.approx(0.1)
    clock.now += 10  # idle for long: the bucket holds no more than the burst
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]


def test_after_a_429_the_bucket_is_empty_and_a_new_rate_applies() -> None:
    clock = Clock()
    bucket = TokenBucket(10.0, 10, clock=clock, sleep=clock.sleep)
    bucket.drain()
    assert not bucket.try_acquire()
    bucket.set_rate(2.0)
    assert bucket.rate == 2.0
    assert bucket.acquire() == pytest.approx(0.5)
    bucket.set_rate(0)  # nonsense from a header is ignored
    assert bucket.rate == 2.0


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0, 1)
    with pytest.raises(ValueError):
        TokenBucket(1, 0)
