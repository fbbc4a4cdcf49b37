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
from mfa_portal.storage import Connection, Row

OK = "success"
FAILED = "failure"

#: Kinds of entry, for the console's and ``audit list --kind`` filter: who acted, or what happened.
#: Each is one SQL condition on constant patterns (no user text in it).
KINDS: dict[str, str] = {
    "support": "(actor LIKE 'admin:%' OR actor LIKE 'cli:%')",
    "self-service": "(actor LIKE 'self:%' OR action = 'recovery-reset')",
    "sign-in": "action LIKE 'sign-in.%'",
}


def utc_iso(at: float) -> str:
    """A moment as the trail writes it in details: ``2027-01-15T08:00:00Z``."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
        return utc_iso(self.at)


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
    kind: str | None = None  # a key of KINDS
    source: str | None = None
    #: Other names of ``target`` whose entries count as its own: a failed sign-in is recorded under
    #: the name as typed, which may be the user's email address (``lookup.audit_names``).
    target_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditPage:
    """One page of a filtered view, newest first, with where it sits among all matching entries."""

    entries: list[AuditEntry]
    total: int  # entries matching the filter
    first: int  # 1-based position of the first entry shown (0 when none)
    newer: int | None  # the ``after`` cursor of the page before this one, None at the newest
    older: int | None  # the ``before`` cursor of the next page, None at the oldest

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1 if self.entries else 0


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
        # The detail is bounded (e.g. an HTML error page from a non-Cognito endpoint). Free text
        # may come from anonymous visitors (/recover usernames, typed sign-in names): stored with
        # control and bidi characters escaped, so no reader of the trail can have its terminal
        # driven.
        at = self._clock()
        with self._store.transaction() as conn:
            return self.append_in(conn, at, actor, target, action, reason, outcome, detail, source)

    def append_in(
        self,
        conn: Connection,
        at: float,
        actor: str,
        target: str,
        action: str,
        reason: str,
        outcome: str,
        detail: str,
        source: str,
    ) -> AuditEntry:
        """Insert inside the caller's transaction (e.g. with a rate limit's counter)."""
        detail = detail[: self.MAX_DETAIL]
        actor, target, reason, detail, source = (
            escape_controls(v) for v in (actor, target, reason, detail, source)
        )
        cur = conn.execute(
            "INSERT INTO audit (at, actor, target, action, reason, outcome, detail, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (at, actor, target, action, reason, outcome, detail, source),
        )
        entry_id = int(cur.fetchone()[0])
        return AuditEntry(entry_id, at, actor, target, action, reason, outcome, detail, source)

    def now(self) -> float:
        return self._clock()

    def query(self, flt: AuditFilter | None = None) -> list[AuditEntry]:
        """Newest first."""
        flt = flt or AuditFilter()
        where, args = _where(flt)
        sql = f"SELECT * FROM audit {where} ORDER BY id DESC"
        if flt.limit > 0:
            sql += " LIMIT ?"
            args.append(flt.limit)
        with self._store.read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [_entry(row) for row in rows]

    def page(
        self, flt: AuditFilter, *, before: int | None = None, after: int | None = None
    ) -> AuditPage:
        """``flt.limit`` entries older than id ``before`` (or newer than ``after``, or the newest):
        keyset paging, so entries appended meanwhile never shift a page."""
        size = max(flt.limit, 1)
        where, args = _where(flt)
        joiner = " AND " if where else "WHERE "
        with self._store.read() as conn:
            total = int(conn.execute(f"SELECT COUNT(*) FROM audit {where}", args).fetchone()[0])
            if after is not None:
                sql = f"SELECT * FROM audit {where}{joiner}id > ? ORDER BY id ASC LIMIT ?"
                rows = list(reversed(conn.execute(sql, [*args, after, size]).fetchall()))
            elif before is not None:
                sql = f"SELECT * FROM audit {where}{joiner}id < ? ORDER BY id DESC LIMIT ?"
                rows = conn.execute(sql, [*args, before, size]).fetchall()
            else:
                sql = f"SELECT * FROM audit {where} ORDER BY id DESC LIMIT ?"
                rows = conn.execute(sql, [*args, size]).fetchall()
            if not rows:
                return AuditPage([], total, 0, None, None)
            top, bottom = rows[0]["id"], rows[-1]["id"]
            newer_count = int(
                conn.execute(
                    f"SELECT COUNT(*) FROM audit {where}{joiner}id > ?", [*args, top]
                ).fetchone()[0]
            )
        first = newer_count + 1
        older = bottom if first + len(rows) - 1 < total else None
        return AuditPage(
            [_entry(r) for r in rows], total, first, top if newer_count else None, older
        )


def _entry(row: Row) -> AuditEntry:
    return AuditEntry(**{f.name: row[f.name] for f in fields(AuditEntry)})


def _where(flt: AuditFilter) -> tuple[str, list[object]]:
    clauses: list[str] = []
    args: list[object] = []
    for column in ("actor", "action", "outcome", "source"):
        value = getattr(flt, column)
        if value:
            clauses.append(f"{column} = ?")
            args.append(value)
    if flt.target:
        names = list(dict.fromkeys((flt.target, *filter(None, flt.target_aliases))))
        clauses.append(f"target IN ({', '.join('?' * len(names))})")
        args.extend(names)
    if flt.kind in KINDS:
        clauses.append(KINDS[flt.kind])
    if flt.since is not None:
        clauses.append("at >= ?")
        args.append(flt.since)
    if flt.until is not None:
        clauses.append("at < ?")
        args.append(flt.until)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), args


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


FilterField = Literal["outcome", "since", "until", "kind"]


class AuditFilterError(ValueError):
    """A filter field the user typed that cannot be used; each front words it in its own terms."""

    def __init__(self, field: FilterField) -> None:
        super().__init__(field)
        self.field: FilterField = field


def parse_filter(
    text: Mapping[str, str], *, limit: int, ignore_unknown_outcome: bool = False
) -> AuditFilter:
    """The filter for the fields ``actor``, ``target``, ``action``, ``outcome``, ``since``,
    ``until``, ``kind`` and ``source`` as typed (missing or empty means "any"), checked in that order.

    The console offers the outcome and kind as selects, so an unknown value there only comes from
    an edited URL and means "any" (``ignore_unknown_outcome``); the CLI refuses it.
    """
    outcome = text.get("outcome") or None
    if outcome is not None and outcome not in (OK, FAILED):
        if not ignore_unknown_outcome:
            raise AuditFilterError("outcome")
        outcome = None
    kind = text.get("kind") or None
    if kind is not None and kind not in KINDS:
        if not ignore_unknown_outcome:
            raise AuditFilterError("kind")
        kind = None
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
        kind=kind,
        source=text.get("source") or None,
    )
