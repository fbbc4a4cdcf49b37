"""The one parser of audit filters typed by people (``audit list`` options and the console's query):
what each field means, and which field is reported when one cannot be used."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mfa_portal.admin.audit import AuditFilter, AuditFilterError, parse_filter

MIDNIGHT = datetime(2026, 11, 28, tzinfo=UTC).timestamp()


def test_empty_fields_mean_any() -> None:
    blank = {"actor": "", "target": "", "action": "", "outcome": "", "since": "", "until": ""}
    assert parse_filter(blank, limit=7) == AuditFilter(limit=7)
    assert parse_filter({}, limit=0) == AuditFilter(limit=0)


def test_every_field_is_kept() -> None:
    typed = {
        "actor": "cli:root",
        "target": "bob",
        "action": "reset-mfa",
        "outcome": "failure",
        "since": "2026-11-28",
        "until": "2026-11-28T17:00Z",
    }
    assert parse_filter(typed, limit=50) == AuditFilter(
        actor="cli:root",
        target="bob",
        action="reset-mfa",
        outcome="failure",
        since=MIDNIGHT,
        until=MIDNIGHT + 17 * 3600,
        limit=50,
    )


def test_times_without_a_zone_are_utc_and_offsets_are_honoured() -> None:
    assert parse_filter({"since": " 2026-11-28T00:00 "}, limit=1).since == MIDNIGHT
    assert parse_filter({"until": "2026-11-28T02:00+02:00"}, limit=1).until == MIDNIGHT


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "Success"}, "outcome"),
        ({"since": "last week"}, "since"),
        ({"since": "2026-13-01"}, "since"),
        ({"until": "tomorrow"}, "until"),
        ({"since": "2026-11-28", "until": "28/11/2026"}, "until"),
        ({"outcome": "maybe", "since": "last week"}, "outcome"),  # the outcome is checked first
        ({"since": "someday", "until": "never"}, "since"),
    ],
)
def test_the_first_unusable_field_is_reported(typed: dict[str, str], field: str) -> None:
    with pytest.raises(AuditFilterError) as caught:
        parse_filter(typed, limit=50)
    assert caught.value.field == field


def test_the_console_reads_an_unknown_outcome_as_any_but_still_checks_dates() -> None:
    lenient = parse_filter(
        {"outcome": "maybe", "target": "bob"}, limit=5, ignore_unknown_outcome=True
    )
    assert lenient == AuditFilter(target="bob", limit=5)
    with pytest.raises(AuditFilterError) as caught:
        parse_filter({"outcome": "maybe", "until": "soon"}, limit=5, ignore_unknown_outcome=True)
    assert caught.value.field == "until"
