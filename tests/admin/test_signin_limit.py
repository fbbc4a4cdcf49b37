"""Failed password steps per client address (``admin.signin_limit``), on SQLite and PostgreSQL:
the limit and its window, successes free, steps in progress reserved, and racing threads and
processes admitted exactly up to the limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.admin.signin_limit import WINDOW_SECONDS, SignInLimit, address_key
from mfa_portal.admin.store import PortalStore
from mfa_portal.clock import FakeClock
from tests.support.race import run_in_processes, run_together

ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.20"
T0 = 1_800_000_000.0
LIMIT = 3


@pytest.fixture
def portal_store(tmp_path: Path, any_database: str | None) -> Iterator[PortalStore]:
    store = PortalStore.in_data_dir(tmp_path / "portal", any_database)
    yield store
    store.close_all()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def limit(portal_store: PortalStore, clock: FakeClock) -> SignInLimit:
    return SignInLimit(portal_store, clock=clock.now, max_failures=LIMIT)


def fail(limit: SignInLimit, source: str = ATTACKER) -> Any:
    assert limit.admit(source).allowed
    return limit.settle(source, failed=True)


def test_an_address_is_refused_after_its_failures_until_the_window_ends(
    limit: SignInLimit, clock: FakeClock
) -> None:
    for _ in range(LIMIT):
        fail(limit)
    clock.advance(60)
    refused = limit.admit(ATTACKER)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(WINDOW_SECONDS - 60)
    assert limit.admit(OFFICE).allowed  # another address has its own count
    clock.set(T0 + WINDOW_SECONDS)
    assert limit.admit(ATTACKER).allowed  # a new window


def test_a_stopped_address_is_refused_without_a_write(
    limit: SignInLimit, portal_store: PortalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flood from a stopped address must not turn into a flood of write transactions."""
    for _ in range(LIMIT):
        fail(limit)

    def no_writes() -> None:
        raise AssertionError("a refusal wrote")

    monkeypatch.setattr(portal_store, "transaction", no_writes)
    for _ in range(3):
        assert not limit.admit(ATTACKER).allowed


def test_successful_steps_cost_an_address_nothing(limit: SignInLimit) -> None:
    for _ in range(10 * LIMIT):
        assert limit.admit(OFFICE).allowed
        assert limit.settle(OFFICE, failed=False) is None
    for _ in range(LIMIT - 1):
        fail(limit, OFFICE)
    assert limit.admit(OFFICE).allowed


def test_steps_in_progress_hold_their_place_until_settled(limit: SignInLimit) -> None:
    for _ in range(LIMIT):
        assert limit.admit(ATTACKER).allowed
    assert not limit.admit(ATTACKER).allowed  # as many in flight as the limit allows failures
    limit.settle(ATTACKER, failed=False)
    assert limit.admit(ATTACKER).allowed


def test_reaching_the_limit_is_reported_once_per_window(
    limit: SignInLimit, clock: FakeClock
) -> None:
    reports = []
    for n in range(LIMIT):
        clock.set(T0 + n)
        reports.append(fail(limit))
    assert reports[:-1] == [None] * (LIMIT - 1)
    reached = reports[-1]
    assert (reached.source, reached.failures) == (ATTACKER, LIMIT)
    assert (reached.first, reached.last, reached.until) == (T0, T0 + LIMIT - 1, T0 + WINDOW_SECONDS)
    assert limit.settle(ATTACKER, failed=True) is None  # a straggler counts, but is not news
    clock.set(T0 + WINDOW_SECONDS)
    for _ in range(LIMIT - 1):
        fail(limit)
    assert fail(limit) is not None  # the next window's, reported again


def test_an_ended_window_is_forgotten_and_its_late_settlement_is_harmless(
    limit: SignInLimit, clock: FakeClock, portal_store: PortalStore
) -> None:
    assert limit.admit(ATTACKER).allowed  # a step whose process died before settling
    clock.set(T0 + WINDOW_SECONDS)
    assert limit.admit(OFFICE).allowed  # any admission forgets ended windows
    with portal_store.transaction() as conn:
        sources = [r["source"] for r in conn.execute("SELECT source FROM signin_limits")]
    assert sources == [OFFICE]
    assert limit.settle(ATTACKER, failed=True) is None
    for _ in range(LIMIT):
        assert limit.admit(ATTACKER).allowed  # nothing was left reserved or counted


def test_zero_turns_the_limit_off(portal_store: PortalStore) -> None:
    off = SignInLimit(portal_store, max_failures=0)
    for _ in range(5):
        assert off.admit(ATTACKER).allowed
        assert off.settle(ATTACKER, failed=True) is None
    with portal_store.transaction() as conn:
        assert conn.execute("SELECT COUNT(*) AS n FROM signin_limits").fetchone()["n"] == 0


def test_a_long_address_is_bounded_as_a_key(limit: SignInLimit) -> None:
    long_source = "x" * 500
    for _ in range(LIMIT):
        fail(limit, long_source)
    assert not limit.admit(long_source).allowed
    assert not limit.admit("x" * 64 + "y").allowed  # the same first 64 characters: the same key


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("testclient", "testclient"),
        ("", ""),
    ],
)
def test_an_ipv6_host_counts_as_its_64_network(source: str, key: str) -> None:
    assert address_key(source) == key


def test_one_ipv6_network_shares_one_count(limit: SignInLimit) -> None:
    """One host is given a /64: a new address for each guess must not buy a new limit."""
    for n in range(LIMIT):
        reached = fail(limit, f"2001:db8:1:2::{n + 1:x}")
    assert reached is not None and reached.source == "2001:db8:1:2::/64"
    assert not limit.admit("2001:db8:1:2:ffff::9").allowed
    assert limit.admit("2001:db8:1:3::1").allowed  # the next /64 is someone else


def test_racing_threads_are_admitted_exactly_up_to_the_limit(
    limit: SignInLimit, portal_store: PortalStore
) -> None:
    fail(limit)

    def attempt() -> bool:
        return limit.admit(ATTACKER).allowed

    outcomes = run_together([attempt for _ in range(8)], after_each=portal_store.close)
    assert outcomes.count(True) == LIMIT - 1


def _admit_in_process(data_dir: str, url: str | None, start_line: Any, results: Any) -> None:
    try:
        store = PortalStore.in_data_dir(Path(data_dir), url)
        limit = SignInLimit(store, clock=lambda: T0, max_failures=LIMIT)
        start_line.wait()
        results.put(limit.admit(ATTACKER).allowed)
        store.close_all()
    except BaseException as exc:  # the parent fails with the reason
        results.put(repr(exc))


def test_racing_processes_are_admitted_exactly_up_to_the_limit(
    tmp_path: Path, any_database: str | None, portal_store: PortalStore
) -> None:
    first = SignInLimit(portal_store, clock=lambda: T0, max_failures=LIMIT)
    assert first.admit(ATTACKER).allowed  # migrates the store before the race
    outcomes = run_in_processes(_admit_in_process, [(str(tmp_path / "portal"), any_database)] * 6)
    assert outcomes.count(True) == LIMIT - 1, outcomes
    assert outcomes.count(False) == 6 - (LIMIT - 1), outcomes
