"""Sign-in failures in the audit trail, so support can answer "why can't X sign in?".

The portal sees every refusal on its own sign-in pages: a wrong password (or no such user), a wrong
or already used code, a lockout, a disabled account. Each becomes an audit entry ``sign-in.<kind>``
with the name as typed (support is asked about names), the address, and never the password or
code. Anyone can cause these, so they are rate-limited in the portal store: at most one entry per
name and kind per window; further ones only count, and when the window has ended (noticed by the
next failure anywhere) one summary entry says how many there were. A cap on entries per window for
all names together keeps a spray of invented names from flooding the trail; its overflow is summed
into one entry too. Counting and writing happen in one transaction.

A replay (a right code used a second time) looks to the portal like any wrong code: Cognito says
``CodeMismatchException`` for both. The portal therefore keeps, per user, a keyed digest of the
last code that signed in (the key is the portal's secret, which this module never sees), and a
refused code with the same digest shortly after is recorded as ``replayed-code``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfa_portal.admin.audit import FAILED, AuditEntry, AuditLog, utc_iso
from mfa_portal.admin.store import PortalStore
from mfa_portal.storage import Connection

PREFIX = "sign-in."
#: Kinds of failure and what the entry's detail says about each.
KINDS: dict[str, str] = {
    "wrong-password": "password refused (wrong password, or no such user)",
    "no-such-user": "no user with this name",
    "wrong-code": "wrong code",
    "replayed-code": "a code that had already been used (replay refused)",
    "locked-out": "too many failed attempts: the pool refuses sign-in for a while",
    "disabled": "the user is disabled",
}
ACTIONS = tuple(PREFIX + kind for kind in KINDS)
SUPPRESSED_ACTION = PREFIX + "suppressed"
ACTOR = "visitor"
REASON = "sign-in attempt"
WINDOW_SECONDS = 600.0
MAX_ENTRIES_PER_WINDOW = 200  # for all names together
REPLAY_SECONDS = 120.0  # a TOTP code is valid for at most 90 s around its step
MAX_NAME = 128  # Cognito's longest username
_ALL = "*"
_ACCEPTED = "code-accepted"


@dataclass(frozen=True)
class Pending:
    """Failures counted but not yet written one by one, as the user page shows them."""

    kind: str
    count: int
    since: float


def _key(username: str) -> str:
    return username.strip().casefold()[:MAX_NAME]


class SignInAudit:
    """Rate-limited sign-in failure entries; see the module doc."""

    def __init__(
        self,
        store: PortalStore,
        audit: AuditLog,
        *,
        window_seconds: float = WINDOW_SECONDS,
        max_entries: int = MAX_ENTRIES_PER_WINDOW,
    ) -> None:
        self._store = store
        self._audit = audit
        self.window_seconds = window_seconds
        self.max_entries = max_entries

    def failed(
        self, username: str, kind: str, source: str = "", *, code_digest: str = "", note: str = ""
    ) -> AuditEntry | None:
        """Record one refusal; the entry written, or None when it was only counted.

        ``code_digest`` (of a refused code) turns a ``wrong-code`` into ``replayed-code`` when it
        matches the last accepted code of the user; ``note`` is added to the detail (e.g. which
        kind of code)."""
        if kind not in KINDS:
            raise ValueError(f"unknown sign-in failure kind: {kind}")
        name = username.strip()[:MAX_NAME] or "-"
        key = _key(name)
        now = self._audit.now()
        with self._store.transaction() as conn:
            self._close_ended(conn, now)
            if kind == "wrong-code" and code_digest and self._replayed(conn, key, code_digest, now):
                kind = "replayed-code"
            row = conn.execute(
                "SELECT suppressed FROM signin_audit_limits WHERE name_key = ? AND kind = ?",
                (key, kind),
            ).fetchone()
            if row is not None:
                conn.execute(
                    "UPDATE signin_audit_limits SET suppressed = suppressed + 1, last_at = ?, "
                    "source = ? WHERE name_key = ? AND kind = ?",
                    (now, source, key, kind),
                )
                return None
            if not self._take_slot(conn, now):
                return None
            conn.execute(
                "INSERT INTO signin_audit_limits (name_key, kind, name, source, window_start, "
                "last_at, written) VALUES (?, ?, ?, ?, ?, ?, 1)",
                (key, kind, name, source, now, now),
            )
            detail = KINDS[kind] + (f" ({note})" if note else "")
            return self._audit.append_in(
                conn, now, ACTOR, name, PREFIX + kind, REASON, FAILED, detail, source
            )

    def code_accepted(self, username: str, code_digest: str) -> None:
        """Remember the digest of the code that just signed ``username`` in (for replays)."""
        now = self._audit.now()
        with self._store.transaction() as conn:
            conn.execute(
                "INSERT INTO signin_audit_limits (name_key, kind, window_start, last_at, digest) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name_key, kind) DO UPDATE SET "
                "window_start = excluded.window_start, last_at = excluded.last_at, "
                "digest = excluded.digest",
                (_key(username), _ACCEPTED, now, now, code_digest),
            )

    def pending(self, username: str) -> list[Pending]:
        """The failures of ``username`` counted in open windows but not written one by one."""
        start = self._audit.now() - self.window_seconds
        with self._store.read() as conn:
            rows = conn.execute(
                "SELECT kind, suppressed, window_start FROM signin_audit_limits "
                "WHERE name_key = ? AND suppressed > 0 AND window_start > ? ORDER BY kind",
                (_key(username), start),
            ).fetchall()
        return [Pending(r["kind"], int(r["suppressed"]), float(r["window_start"])) for r in rows]

    def _replayed(self, conn: Connection, key: str, digest: str, now: float) -> bool:
        row = conn.execute(
            "SELECT digest, last_at FROM signin_audit_limits WHERE name_key = ? AND kind = ?",
            (key, _ACCEPTED),
        ).fetchone()
        return (
            row is not None and row["digest"] == digest and now - row["last_at"] <= REPLAY_SECONDS
        )

    def _take_slot(self, conn: Connection, now: float) -> bool:
        """One of the window's entries for all names; False (and counted) when none is left."""
        conn.execute(
            "INSERT INTO signin_audit_limits (name_key, kind, window_start, last_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (name_key, kind) DO NOTHING",
            (_ALL, _ALL, now, now),
        )
        row = conn.execute(
            "SELECT written FROM signin_audit_limits WHERE name_key = ? AND kind = ?", (_ALL, _ALL)
        ).fetchone()
        full = int(row["written"]) >= self.max_entries
        column = "suppressed" if full else "written"
        conn.execute(
            f"UPDATE signin_audit_limits SET {column} = {column} + 1, last_at = ? "
            "WHERE name_key = ? AND kind = ?",
            (now, _ALL, _ALL),
        )
        return not full

    def _close_ended(self, conn: Connection, now: float) -> None:
        """Summarise and forget the windows that have ended."""
        start = now - self.window_seconds
        rows = conn.execute(
            "SELECT * FROM signin_audit_limits WHERE window_start <= ? AND suppressed > 0",
            (start,),
        ).fetchall()
        for row in rows:
            count, first, last = int(row["suppressed"]), row["window_start"], row["last_at"]
            span = f"between {utc_iso(first)} and {utc_iso(last)}"
            if row["kind"] == _ALL:
                detail = (
                    f"{count} more sign-in failures {span} not recorded one by one "
                    f"(at most {self.max_entries} entries per {self.window_seconds / 60:g} minutes)"
                )
                action, target = SUPPRESSED_ACTION, "-"
            else:
                plural = "" if count == 1 else "s"
                detail = (
                    f"{count} more time{plural} {span}: {KINDS[row['kind']]} "
                    f"(recorded once per {self.window_seconds / 60:g} minutes)"
                )
                action, target = PREFIX + row["kind"], row["name"]
            self._audit.append_in(
                conn, now, ACTOR, target, action, REASON, FAILED, detail, row["source"]
            )
        conn.execute("DELETE FROM signin_audit_limits WHERE window_start <= ?", (start,))
