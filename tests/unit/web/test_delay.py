"""The timing equaliser: a refused password step takes as long as an accepted one."""

from __future__ import annotations

import time

from mfa_portal.web.delay import Delayer


def test_refused_password_steps_take_as_long_as_accepted_ones() -> None:
    delayer = Delayer()
    for _ in range(20):
        started = time.monotonic() - 0.2  # an accepted step that took 0.2 s
        delayer.accepted(started)
    started = time.monotonic()
    delayer.refused(started)
    assert time.monotonic() - started >= 0.15
    floor = Delayer(floor_seconds=0.05)
    started = time.monotonic()
    floor.refused(started)
    assert time.monotonic() - started >= 0.05
