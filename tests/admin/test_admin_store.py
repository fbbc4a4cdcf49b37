"""The portal store and the audit trail: append-only, filtered, exported."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from mfa_portal.admin.audit import AuditFilter, AuditLog, parse_time, write_csv, write_jsonl
from mfa_portal.admin.store import PortalStore


def _log(store: PortalStore) -> AuditLog:
    times = iter([1_800_000_000.0, 1_800_000_100.0, 1_800_000_200.0])
    return AuditLog(store, clock=lambda: next(times))


def _fill(log: AuditLog) -> None:
    log.append(
        actor="cli:a", target="bob", action="reset-mfa", reason="lost phone", outcome="success"
    )
    log.append(
        actor="admin:c",
        target="eve",
        action="disable",
        reason="left",
        outcome="failure",
        detail="UserNotFoundException: User does not exist.",
        source="10.0.0.5",
    )
    log.append(
        actor="cli:a", target="bob", action="signout", reason="lost phone", outcome="success"
    )


def test_store_lives_in_the_data_dir_apart_from_the_pool(tmp_path: Path) -> None:
    store = PortalStore.in_data_dir(tmp_path)
    assert store.path == tmp_path / "portal.sqlite3"
    assert store.path.exists()
    store.close()
    again = PortalStore.in_data_dir(tmp_path)  # reopening migrates nothing twice
    again.close()


def test_entries_cannot_be_changed_or_removed_even_in_sql(store: PortalStore) -> None:
    log = _log(store)
    _fill(log)
    assert not hasattr(log, "delete") and not hasattr(log, "update")
    conn = store.connect()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit SET outcome = 'success' WHERE target = 'eve'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit")
    assert len(log.query()) == 3


def test_query_filters_and_orders_newest_first(store: PortalStore) -> None:
    log = _log(store)
    _fill(log)
    assert [e.action for e in log.query()] == ["signout", "disable", "reset-mfa"]
    assert [e.action for e in log.query(AuditFilter(target="bob"))] == ["signout", "reset-mfa"]
    assert [e.target for e in log.query(AuditFilter(outcome="failure"))] == ["eve"]
    assert [e.actor for e in log.query(AuditFilter(actor="admin:c"))] == ["admin:c"]
    window = AuditFilter(since=1_800_000_050.0, until=1_800_000_150.0)
    assert [e.action for e in log.query(window)] == ["disable"]
    assert len(log.query(AuditFilter(limit=1))) == 1


def test_export_csv_and_json_lines(store: PortalStore) -> None:
    log = _log(store)
    _fill(log)
    entries = log.query()
    out = io.StringIO()
    assert write_csv(entries, out) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[1]["target"] == "eve" and rows[1]["source"] == "10.0.0.5"
    assert rows[1]["time"] == "2027-01-15T08:01:40Z"
    out = io.StringIO()
    write_jsonl(entries, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[2] == {
        "action": "reset-mfa",
        "actor": "cli:a",
        "detail": "",
        "id": 1,
        "outcome": "success",
        "reason": "lost phone",
        "source": "",
        "target": "bob",
        "time": "2027-01-15T08:00:00Z",
    }


def test_csv_cells_never_start_a_formula_and_details_are_bounded(store: PortalStore) -> None:
    log = AuditLog(store)
    log.append(actor="self:=cmd()", target="=HYPERLINK(1)", action="recovery-reset",
               reason="@SUM(A1)", outcome="failure", detail="x" * 5000)  # fmt: skip
    out = io.StringIO()
    write_csv(log.query(), out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["actor"], row["target"], row["reason"]) == (
        "self:=cmd()",
        "'=HYPERLINK(1)",
        "'@SUM(A1)",
    )
    assert len(row["detail"]) == AuditLog.MAX_DETAIL


def test_parse_time_reads_dates_as_utc() -> None:
    assert parse_time("2027-01-15T08:00:00Z") == 1_800_000_000.0
    assert parse_time("2027-01-15T08:00:00") == 1_800_000_000.0
    with pytest.raises(ValueError):
        parse_time("yesterday")
