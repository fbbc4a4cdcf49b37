"""Failed password steps per client address (``storage.address_limit``), as the sign-in page counts
them (``admin.signin_limit``, the portal store) and as the pool's endpoint does (``address_limits``
in the pool's database), on SQLite and PostgreSQL: the limit and its window, successes free, steps
in progress reserved, and racing threads and processes admitted exactly up to the limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.admin.signin_limit import WINDOW_SECONDS, SignInLimit, address_key
from mfa_portal.admin.store import PortalStore
from mfa_portal.clock import FakeClock
from mfa_portal.pool.address_limit import TABLE as POOL_TABLE
from mfa_portal.pool.storage import Database as PoolDatabase
from mfa_portal.storage import Database
from mfa_portal.storage.address_limit import AddressLimit
from tests.support.race import run_in_processes, run_together

ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.20"
T0 = 1_800_000_000.0
LIMIT = 3


PAGE, POOL = "sign-in page", "pool endpoint"
TABLES = {PAGE: "signin_limits", POOL: POOL_TABLE}


def open_store(kind: str, data_dir: Path, url: str | None) -> Database:
    if kind == PAGE:
        return PortalStore.in_data_dir(data_dir / "portal", url)
    return PoolDatabase(data_dir / "pool.sqlite3", url=url)


def limit_on(
    kind: str, store: Database, clock: Any = lambda: T0, max_failures: int = LIMIT
) -> AddressLimit:
    if kind == PAGE:
        assert isinstance(store, PortalStore)
        return SignInLimit(store, clock=clock, max_failures=max_failures)
    return AddressLimit(store, POOL_TABLE, clock, max_failures)


@pytest.fixture(params=[PAGE, POOL])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def portal_store(tmp_path: Path, any_database: str | None, kind: str) -> Iterator[Database]:
    """The store the limit counts in (the portal's, or the pool's)."""
    store = open_store(kind, tmp_path, any_database)
    yield store
    store.close_all()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def limit(portal_store: Database, clock: FakeClock, kind: str) -> AddressLimit:
    return limit_on(kind, portal_store, clock.now)


def fail(limit: AddressLimit, source: str = ATTACKER) -> Any:
    assert limit.admit(source).allowed
    return limit.settle(source, failed=True)


def test_an_address_is_refused_after_its_failures_until_the_window_ends(
    limit: AddressLimit, clock: FakeClock
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
    limit: AddressLimit, portal_store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flood from a stopped address must not turn into a flood of write transactions."""
    for _ in range(LIMIT):
        fail(limit)

    def no_writes() -> None:
        raise AssertionError("a refusal wrote")

    monkeypatch.setattr(portal_store, "transaction", no_writes)
    for _ in range(3):
        assert not limit.admit(ATTACKER).allowed
        assert not limit.check(ATTACKER).allowed


def test_a_check_reserves_nothing(limit: AddressLimit, clock: FakeClock) -> None:
    """An SRP start only asks: it must not use up the steps its address has left."""
    for _ in range(LIMIT - 1):
        fail(limit)
    for _ in range(5):
        assert limit.check(ATTACKER).allowed
    assert limit.admit(ATTACKER).allowed  # the last step is still there
    assert not limit.check(ATTACKER).allowed  # and now in progress
    clock.advance(30)
    limit.settle(ATTACKER, failed=True)
    refused = limit.check(ATTACKER)
    assert not refused.allowed and refused.retry_after == pytest.approx(WINDOW_SECONDS - 30)


def test_successful_steps_cost_an_address_nothing(limit: AddressLimit) -> None:
    for _ in range(10 * LIMIT):
        assert limit.admit(OFFICE).allowed
        assert limit.settle(OFFICE, failed=False) is None
    for _ in range(LIMIT - 1):
        fail(limit, OFFICE)
    assert limit.admit(OFFICE).allowed


def test_steps_in_progress_hold_their_place_until_settled(limit: AddressLimit) -> None:
    for _ in range(LIMIT):
        assert limit.admit(ATTACKER).allowed
    assert not limit.admit(ATTACKER).allowed  # as many in flight as the limit allows failures
    limit.settle(ATTACKER, failed=False)
    assert limit.admit(ATTACKER).allowed


def test_reaching_the_limit_is_reported_once_per_window(
    limit: AddressLimit, clock: FakeClock
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
    limit: AddressLimit, clock: FakeClock, portal_store: Database, kind: str
) -> None:
    assert limit.admit(ATTACKER).allowed  # a step whose process died before settling
    clock.set(T0 + WINDOW_SECONDS)
    assert limit.admit(OFFICE).allowed  # any admission forgets ended windows
    with portal_store.transaction() as conn:
        sources = [r["source"] for r in conn.execute(f"SELECT source FROM {TABLES[kind]}")]
    assert sources == [OFFICE]
    assert limit.settle(ATTACKER, failed=True) is None
    for _ in range(LIMIT):
        assert limit.admit(ATTACKER).allowed  # nothing was left reserved or counted


def test_zero_turns_the_limit_off(portal_store: Database, kind: str) -> None:
    off = limit_on(kind, portal_store, max_failures=0)
    for _ in range(5):
        assert off.admit(ATTACKER).allowed
        assert off.check(ATTACKER).allowed
        assert off.settle(ATTACKER, failed=True) is None
    with portal_store.transaction() as conn:
        count = f"SELECT COUNT(*) AS n FROM {TABLES[kind]}"
        assert conn.execute(count).fetchone()["n"] == 0


def test_a_long_address_is_bounded_as_a_key(limit: AddressLimit) -> None:
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


def test_one_ipv6_network_shares_one_count(limit: AddressLimit) -> None:
    """One host is given a /64: a new address for each guess must not buy a new limit."""
    for n in range(LIMIT):
        reached = fail(limit, f"2001:db8:1:2::{n + 1:x}")
    assert reached is not None and reached.source == "2001:db8:1:2::/64"
    assert not limit.admit("2001:db8:1:2:ffff::9").allowed
    assert limit.admit("2001:db8:1:3::1").allowed  # the next /64 is someone else


def test_racing_threads_are_admitted_exactly_up_to_the_limit(
    limit: AddressLimit, portal_store: Database
) -> None:
    fail(limit)

    def attempt() -> bool:
        return limit.admit(ATTACKER).allowed

    outcomes = run_together([attempt for _ in range(8)], after_each=portal_store.close)
    assert outcomes.count(True) == LIMIT - 1


def _admit_in_process(
    kind: str, data_dir: str, url: str | None, start_line: Any, results: Any
) -> None:
    try:
        store = open_store(kind, Path(data_dir), url)
        limit = limit_on(kind, store)
        start_line.wait()
        results.put(limit.admit(ATTACKER).allowed)
        store.close_all()
    except BaseException as exc:  # the parent fails with the reason
        results.put(repr(exc))


def test_racing_processes_are_admitted_exactly_up_to_the_limit(
    tmp_path: Path, any_database: str | None, portal_store: Database, kind: str
) -> None:
    first = limit_on(kind, portal_store)
    assert first.admit(ATTACKER).allowed  # migrates the store before the race
    outcomes = run_in_processes(_admit_in_process, [(kind, str(tmp_path), any_database)] * 6)
    assert outcomes.count(True) == LIMIT - 1, outcomes
    assert outcomes.count(False) == 6 - (LIMIT - 1), outcomes
