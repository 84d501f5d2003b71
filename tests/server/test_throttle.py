"""The sign-in throttle (layers/server/throttle.py): its delays grow and stay bounded."""

from __future__ import annotations

from layers.server import throttle


def test_delays_grow_and_stay_bounded():
    delays = [throttle.delay_for(n) for n in range(60)]
    assert delays[: throttle.FREE_FAILURES] == [0.0] * throttle.FREE_FAILURES
    assert all(a <= b for a, b in zip(delays, delays[1:], strict=False))
    assert delays[-1] == throttle.MAX_DELAY_S
