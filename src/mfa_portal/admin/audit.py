"""The audit trail: every support action and self-service reset, success or failure.

Entries are only ever appended; this module has no way to change or remove one, and the store's
triggers refuse it in SQL as well. Details must never hold secrets (passwords, codes, tokens).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Literal, TextIO

from mfa_portal.admin.display import escape_controls
from mfa_portal.admin.store import PortalStore

OK = "success"
FAILED = "failure"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    target: str
    action: str
    reason: str
    outcome: str
    detail: str
    source: str

    @property
    def time_iso(self) -> str:
        return datetime.fromtimestamp(self.at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the console view and ``audit list``; every field is optional."""

    actor: str | None = None
    target: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: float | None = None
    until: float | None = None
    limit: int = 200


class AuditLog:
    """Append and read audit entries in the portal store."""

    def __init__(self, store: PortalStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    MAX_DETAIL = 500

    def append(
        self,
        *,
        actor: str,
        target: str,
        action: str,
        reason: str,
        outcome: str,
        detail: str = "",
        source: str = "",
    ) -> AuditEntry:
        at = self._clock()
        detail = detail[: self.MAX_DETAIL]  # e.g. an HTML error page from a non-Cognito endpoint
        # Free text may come from anonymous visitors (/recover usernames): stored with control
        # and bidi characters escaped, so no reader of the trail can have its terminal driven.
        actor, target, reason, detail, source = (
            escape_controls(v) for v in (actor, target, reason, detail, source)
        )
        with self._store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO audit (at, actor, target, action, reason, outcome, detail, source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (at, actor, target, action, reason, outcome, detail, source),
            )
            entry_id = int(cur.fetchone()[0])
        return AuditEntry(entry_id, at, actor, target, action, reason, outcome, detail, source)

    def query(self, flt: AuditFilter | None = None) -> list[AuditEntry]:
        """Newest first."""
        flt = flt or AuditFilter()
        clauses: list[str] = []
        args: list[object] = []
        for column in ("actor", "target", "action", "outcome"):
            value = getattr(flt, column)
            if value:
                clauses.append(f"{column} = ?")
                args.append(value)
        if flt.since is not None:
            clauses.append("at >= ?")
            args.append(flt.since)
        if flt.until is not None:
            clauses.append("at < ?")
            args.append(flt.until)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT * FROM audit {where} ORDER BY id DESC"
        if flt.limit > 0:
            sql += " LIMIT ?"
            args.append(flt.limit)
        with self._store.read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [AuditEntry(**{f.name: row[f.name] for f in fields(AuditEntry)}) for row in rows]


EXPORT_COLUMNS = (
    "time",
    "actor",
    "target",
    "action",
    "reason",
    "outcome",
    "detail",
    "source",
    "id",
)


def _export_row(entry: AuditEntry) -> dict[str, object]:
    row = asdict(entry)
    row["time"] = entry.time_iso
    del row["at"]
    return {column: row[column] for column in EXPORT_COLUMNS}


def _inert(value: object) -> object:
    """Keep a spreadsheet from running a cell as a formula (usernames and reasons are user text)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(entries: Iterable[AuditEntry], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    count = 0
    for entry in entries:
        writer.writerow({k: _inert(v) for k, v in _export_row(entry).items()})
        count += 1
    return count


def write_jsonl(entries: Iterable[AuditEntry], out: TextIO) -> int:
    count = 0
    for entry in entries:
        out.write(json.dumps(_export_row(entry), sort_keys=True) + "\n")
        count += 1
    return count


def parse_time(text: str) -> float:
    """Accept an ISO date or date-time (UTC when no zone is given) for ``--since``/``--until``."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


FilterField = Literal["outcome", "since", "until"]


class AuditFilterError(ValueError):
    """A filter field the user typed that cannot be used; each front words it in its own terms."""

    def __init__(self, field: FilterField) -> None:
        super().__init__(field)
        self.field: FilterField = field


def parse_filter(
    text: Mapping[str, str], *, limit: int, ignore_unknown_outcome: bool = False
) -> AuditFilter:
    """The filter for the fields ``actor``, ``target``, ``action``, ``outcome``, ``since`` and
    ``until`` as typed (missing or empty means "any"), checked in that order.

    The console offers the outcome as a select, so an unknown value there only comes from an edited
    URL and means "any" (``ignore_unknown_outcome``); the CLI refuses it.
    """
    outcome = text.get("outcome") or None
    if outcome is not None and outcome not in (OK, FAILED):
        if not ignore_unknown_outcome:
            raise AuditFilterError("outcome")
        outcome = None
    times: dict[FilterField, float | None] = {"since": None, "until": None}
    for key in times:
        if value := text.get(key):
            try:
                times[key] = parse_time(value)
            except ValueError:
                raise AuditFilterError(key) from None
    return AuditFilter(
        actor=text.get("actor") or None,
        target=text.get("target") or None,
        action=text.get("action") or None,
        outcome=outcome,
        since=times["since"],
        until=times["until"],
        limit=limit,
    )
