"""The email-code page's "Send me a new code" limit: per user, in the shared store, atomic, windowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mfa_portal.admin.recovery_limit import RecoveryLimit
from mfa_portal.admin.resend_limit import MAX_RESENDS, WINDOW_SECONDS, ResendLimit
from mfa_portal.admin.store import PortalStore
from tests.support.race import run_together

T0 = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def test_a_user_gets_the_limit_per_window_then_a_new_window(store: PortalStore) -> None:
    clock = Clock()
    limit = ResendLimit(store, clock=clock)
    assert [limit.admit("pool", "Ann") for _ in range(MAX_RESENDS)] == [0.0] * MAX_RESENDS
    clock.now += 60
    assert limit.admit("pool", "ann") == WINDOW_SECONDS - 60  # the same user, any case
    assert limit.admit("pool", "bob") == 0.0  # another user has a count of their own
    assert limit.admit("other-pool", "ann") == 0.0
    clock.now = T0 + WINDOW_SECONDS
    assert limit.admit("pool", "ann") == 0.0  # the window ended


def test_processes_agree_and_a_race_admits_exactly_the_limit(
    store: PortalStore, tmp_path: Path, database_url: str | None
) -> None:
    other = PortalStore.in_data_dir(tmp_path / "portal", database_url)  # another portal process
    try:
        clock = Clock()
        first, second = ResendLimit(store, clock=clock), ResendLimit(other, clock=clock)
        assert first.admit("pool", "ann") == 0.0

        def attempt() -> Callable[[], float]:
            return lambda: second.admit("pool", "ann")

        outcomes = run_together([attempt() for _ in range(8)], after_each=other.close)
        assert outcomes.count(0.0) == MAX_RESENDS - 1
        assert first.admit("pool", "ann") > 0
    finally:
        other.close_all()


def test_the_recover_limit_sweep_leaves_live_resend_counts(store: PortalStore) -> None:
    """Both limits share the counter table; /recover's sweep of ended windows spares live ones."""
    clock = Clock()
    resend, recover = ResendLimit(store, clock=clock), RecoveryLimit(store, clock=clock)
    for _ in range(MAX_RESENDS):
        resend.admit("pool", "ann")
    clock.now += 60
    assert recover.admit("192.0.2.1", "ann").allowed
    assert resend.admit("pool", "ann") > 0
