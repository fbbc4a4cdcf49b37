"""Sign-in failures in the audit trail (admin/signin_audit.py): one entry per name and kind per
window, the rest counted and summarised once the window has ended, a cap for all names together,
replays told apart from wrong codes, and never a secret in the trail."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfa_portal.admin.audit import AuditFilter, AuditLog
from mfa_portal.admin.signin_audit import SignInAudit
from mfa_portal.admin.store import PortalStore
from mfa_portal.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


@pytest.fixture
def trail(tmp_path: Path, clock: FakeClock) -> tuple[SignInAudit, AuditLog]:
    store = PortalStore.in_data_dir(tmp_path)
    audit = AuditLog(store, clock=clock.now)
    return SignInAudit(store, audit, window_seconds=600, max_entries=5), audit


def _actions(audit: AuditLog) -> list[tuple[str, str]]:
    return [(e.action, e.target) for e in reversed(audit.query(AuditFilter(limit=0)))]


def test_one_entry_per_name_and_kind_per_window(
    trail: tuple[SignInAudit, AuditLog], clock: FakeClock
) -> None:
    signin, audit = trail
    first = signin.failed("Bob", "wrong-password", "198.51.100.1")
    assert first is not None and first.target == "Bob" and first.source == "198.51.100.1"
    assert first.actor == "visitor" and first.outcome == "failure"
    for _ in range(30):
        clock.advance(5)
        assert signin.failed("bob", "wrong-password", "198.51.100.2") is None  # same name, any case
    assert signin.failed("bob", "wrong-code", "198.51.100.2") is not None  # another kind
    assert _actions(audit) == [("sign-in.wrong-password", "Bob"), ("sign-in.wrong-code", "bob")]
    [pending] = signin.pending("BOB")
    assert (pending.kind, pending.count) == ("wrong-password", 30)


def test_the_counted_failures_are_summarised_when_the_window_ends(
    trail: tuple[SignInAudit, AuditLog], clock: FakeClock
) -> None:
    signin, audit = trail
    signin.failed("bob", "wrong-password", "198.51.100.1")
    clock.advance(60)
    signin.failed("bob", "wrong-password", "198.51.100.9")
    signin.failed("bob", "wrong-password", "198.51.100.9")
    clock.advance(600)
    assert signin.pending("bob") == []
    signin.failed("carol", "locked-out", "203.0.113.5")  # any later failure closes the window
    summary = audit.query(AuditFilter(action="sign-in.wrong-password", limit=1))[0]
    assert summary.detail.startswith("2 more times between 2027-01-15T08:00:00Z and ")
    assert "recorded once per 10 minutes" in summary.detail and summary.source == "198.51.100.9"
    clock.advance(1)
    assert signin.failed("bob", "wrong-password") is not None  # a new window, a new entry


def test_a_spray_of_names_is_capped_for_the_whole_trail(
    trail: tuple[SignInAudit, AuditLog], clock: FakeClock
) -> None:
    signin, audit = trail
    written = [signin.failed(f"user{n}", "no-such-user", "192.0.2.1") for n in range(40)]
    assert sum(entry is not None for entry in written) == 5
    clock.advance(601)
    signin.failed("late", "wrong-password")
    entries = audit.query(AuditFilter(limit=0))
    assert len(entries) == 5 + 1 + 1  # the five, one summary of the other 35, the late one
    summary = next(e for e in entries if e.action == "sign-in.suppressed")
    assert summary.detail.startswith("35 more sign-in failures between ")
    assert summary.target == "-"


def test_a_code_that_already_signed_in_is_a_replay(
    trail: tuple[SignInAudit, AuditLog], clock: FakeClock
) -> None:
    signin, audit = trail
    signin.code_accepted("bob", "digest-of-123456")
    clock.advance(20)
    replay = signin.failed("bob", "wrong-code", code_digest="digest-of-123456")
    wrong = signin.failed("bob", "wrong-code", code_digest="digest-of-654321")
    assert replay is not None and replay.action == "sign-in.replayed-code"
    assert wrong is not None and wrong.action == "sign-in.wrong-code"
    clock.advance(200)  # long after the code's window: just a wrong code (counted)
    assert signin.failed("carol", "wrong-code", code_digest="digest-of-123456") is not None
    assert "digest" not in " ".join(e.detail for e in audit.query())


def test_unknown_kinds_and_long_names(trail: tuple[SignInAudit, AuditLog]) -> None:
    signin, audit = trail
    with pytest.raises(ValueError):
        signin.failed("bob", "password-was-hunter2")
    entry = signin.failed("x" * 1000 + "\x1b[2J", "no-such-user")
    assert entry is not None and len(entry.target) == 128
    empty = signin.failed("   ", "wrong-password")
    assert empty is not None and empty.target == "-"
