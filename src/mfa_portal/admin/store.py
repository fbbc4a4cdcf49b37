"""The portal's own store: audit trail, recovery codes, session revocations and the outbox.

It lives in ``<data_dir>/portal.sqlite3`` (or the ``mfa_portal`` schema of the PostgreSQL database),
apart from the embedded pool's database, because the portal must work the same against Amazon Cognito,
where there is no pool database at all. The audit table is append-only: the code offers no update or
delete, and triggers refuse both in SQL too (on PostgreSQL TRUNCATE as well).
"""

from __future__ import annotations

from pathlib import Path

from mfa_portal.storage import Database

FILE_NAME = "portal.sqlite3"
SCHEMA = "mfa_portal"

# One script per schema version, split into statements by sqlite3.complete_statement.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        actor TEXT NOT NULL,
        target TEXT NOT NULL,
        action TEXT NOT NULL,
        reason TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_at ON audit (at);
    CREATE INDEX audit_target ON audit (target);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;

    CREATE TABLE recovery_codes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pool_id TEXT NOT NULL,
        user_sub TEXT NOT NULL,
        set_id TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        created_at REAL NOT NULL,
        used_at REAL
    );
    CREATE INDEX recovery_codes_user ON recovery_codes (pool_id, user_sub);

    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL
    );
    """,
    # 2: session revocation markers (see mfa_portal.admin.revocations): one row per user whose
    # portal sessions were ended by the portal or support; ``generation`` counts those events.
    """
    CREATE TABLE session_revocations (
        pool_id TEXT NOT NULL,
        user_sub TEXT NOT NULL,
        generation INTEGER NOT NULL,
        revoked_at REAL NOT NULL,
        PRIMARY KEY (pool_id, user_sub)
    ) WITHOUT ROWID;
    """,
    # 3: the rate limit of /recover (admin/recovery_limit.py), one row per address and username.
    """
    CREATE TABLE recover_limits (
        key TEXT PRIMARY KEY,
        window_start REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        first_failure REAL,
        last_failure REAL,
        summarised INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX recover_limits_window ON recover_limits (window_start);
    """,
    # 4: one-time codes proving the mailbox before a first enrolment (admin/enrolment_codes.py)
    """
    CREATE TABLE enrolment_codes (
        pool_id TEXT NOT NULL,
        user_sub TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        sent_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        used_at REAL,
        sends INTEGER NOT NULL DEFAULT 1,
        window_start REAL NOT NULL,
        PRIMARY KEY (pool_id, user_sub)
    );
    """,
    # 5: the per-user rate limit of sign-in failure entries in the audit trail
    # (admin/signin_audit.py): one row per username and kind with the window's counts, one row
    # ('*', '*') for the whole trail, and per user the keyed digest of the last accepted code.
    """
    CREATE TABLE signin_audit_limits (
        name_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        window_start REAL NOT NULL,
        last_at REAL NOT NULL,
        written INTEGER NOT NULL DEFAULT 0,
        suppressed INTEGER NOT NULL DEFAULT 0,
        digest TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (name_key, kind)
    );
    CREATE INDEX signin_audit_limits_window ON signin_audit_limits (window_start);
    """,
    # 6: check values of the deployment's secrets, never the secrets (admin/secret_check.py).
    """
    CREATE TABLE portal_meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 7: failed password steps per client address on the sign-in page (admin/signin_limit.py)
    """
    CREATE TABLE signin_limits (
        source TEXT PRIMARY KEY,
        window_start REAL NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        pending INTEGER NOT NULL DEFAULT 0,
        first_failure REAL,
        last_failure REAL,
        reported INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX signin_limits_window ON signin_limits (window_start);
    """,
)


class PortalStore(Database):
    """The portal's store; its schema is ``MIGRATIONS`` above."""

    def __init__(self, path: Path, *, url: str | None = None) -> None:
        super().__init__(path, MIGRATIONS, url=url, schema=SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir: Path, url: str | None = None) -> PortalStore:
        """``portal.sqlite3`` in ``data_dir``, or the ``mfa_portal`` schema at ``url``."""
        return cls(data_dir / FILE_NAME, url=url)
