"""Names that are no user, answered as a user would be (PreventUserExistenceErrors, spec §7.3).

Without this, limits give users away: from the sixth wrong password a real user hears "Password
attempts exceeded" and an unknown name never does; the sixth ForgotPassword in an hour is refused
only for a real user; ConfirmForgotPassword says "expired" only when a real user has no code. So a
name that does not exist gets the same lockout counter (``lockout.Throttle``), the same request
limit and a simulated reset code that no guess matches, with the same limits as ``reset_codes``.

Rows are keyed by the pool and a keyed digest of the normalised name (a user who types a password
into the name field must not find it stored). The table stays small: rows that say nothing a missing
row would not (no lock, no failure within 15 minutes, no request or code within the hour) are
purged on every write, and a pool keeps at most ``MAX_ROWS_PER_POOL`` rows; beyond that the rows with
the least history go first, so flooding with fresh names does not cheaply erase a probed name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import lockout, reset_codes
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import Pool
from mfa_portal.storage import Connection

MAX_ROWS_PER_POOL = 10_000
_HOUR = 3600.0


@dataclass
class UnknownName:
    """One name's history; ``failed_attempts``/``last_failure``/``locked_until`` as on a user."""

    pool_id: str
    name_hash: str
    failed_attempts: int = 0
    last_failure: float = 0.0
    locked_until: float = 0.0
    requests: list[float] = field(default_factory=list)
    code_expires: float = 0.0
    code_attempts: int = 0

    def expires_at(self) -> float:
        """When the row stops mattering (then it is purged)."""
        return max(
            self.last_failure + lockout.COGNITO.idle_reset_seconds,
            self.locked_until,
            max(self.requests, default=0.0) + _HOUR,
            self.code_expires,
        )


def load(ctx: Context, conn: Connection, pool: Pool, name: str) -> UnknownName:
    """The history of ``name`` in ``pool`` (blank if it has none)."""
    key = ctx.engine.seal.digest(pool.username_key(name), f"unknown-name:{pool.id}")
    row = conn.execute(
        "SELECT * FROM unknown_names WHERE pool_id = ? AND name_hash = ?", (pool.id, key)
    ).fetchone()
    if row is None:
        return UnknownName(pool.id, key)
    return UnknownName(
        pool.id,
        key,
        int(row["failed_attempts"]),
        float(row["last_failure"]),
        float(row["locked_until"]),
        [float(t) for t in json.loads(row["requests"]) if ctx.now - float(t) < _HOUR],
        float(row["code_expires"]),
        int(row["code_attempts"]),
    )


def save(ctx: Context, conn: Connection, name: UnknownName) -> None:
    """Store ``name``, purge dead rows and keep the pool under its cap (caller's transaction)."""
    conn.execute("DELETE FROM unknown_names WHERE expires_at <= ?", (ctx.now,))
    if name.expires_at() <= ctx.now:  # nothing worth keeping
        conn.execute(
            "DELETE FROM unknown_names WHERE pool_id = ? AND name_hash = ?",
            (name.pool_id, name.name_hash),
        )
        return
    conn.execute(
        "INSERT INTO unknown_names (pool_id, name_hash, failed_attempts, last_failure, "
        "locked_until, requests, code_expires, code_attempts, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(pool_id, name_hash) DO UPDATE SET "
        "failed_attempts=excluded.failed_attempts, last_failure=excluded.last_failure, "
        "locked_until=excluded.locked_until, requests=excluded.requests, "
        "code_expires=excluded.code_expires, code_attempts=excluded.code_attempts, "
        "expires_at=excluded.expires_at",
        (
            name.pool_id,
            name.name_hash,
            name.failed_attempts,
            name.last_failure,
            name.locked_until,
            json.dumps(name.requests),
            name.code_expires,
            name.code_attempts,
            name.expires_at(),
        ),
    )
    count = conn.execute(
        "SELECT COUNT(*) FROM unknown_names WHERE pool_id = ?", (name.pool_id,)
    ).fetchone()[0]
    if count > MAX_ROWS_PER_POOL:
        conn.execute(
            "DELETE FROM unknown_names WHERE pool_id = ? AND name_hash IN (SELECT name_hash "
            "FROM unknown_names WHERE pool_id = ? AND name_hash != ? ORDER BY failed_attempts + "
            "code_attempts + json_array_length(requests), expires_at LIMIT ?)",
            (name.pool_id, name.pool_id, name.name_hash, count - MAX_ROWS_PER_POOL),
        )


def refuse_sign_in(
    ctx: Context, conn: Connection, pool: Pool, name: str, refusal: errors.CognitoError
) -> None:
    """A password for ``name`` is always wrong: counted, committed and refused as for a user."""
    found = load(ctx, conn, pool, name)
    lockout.COGNITO.guard(
        found,
        ctx.now,
        lambda: False,
        refusal,
        save=lambda: save(ctx, conn, found),
    )


def request_code(ctx: Context, conn: Connection, pool: Pool, name: str) -> None:
    """ForgotPassword for ``name``: the request limit of ``reset_codes.issue_code``, no code."""
    found = load(ctx, conn, pool, name)
    if len(found.requests) >= reset_codes.MAX_REQUESTS_PER_HOUR:
        raise errors.LimitExceededException(messages.ATTEMPT_LIMIT_EXCEEDED)
    found.requests.append(ctx.now)
    found.code_expires = ctx.now + reset_codes.CODE_SECONDS
    found.code_attempts = 0
    save(ctx, conn, found)


def check_code(ctx: Context, conn: Connection, pool: Pool, name: str) -> reset_codes.Verdict:
    """ConfirmForgotPassword for ``name``: WRONG while a simulated code lives, as
    ``reset_codes.check_code`` counts guesses; EXPIRED when none was requested or it is void."""
    found = load(ctx, conn, pool, name)
    live = ctx.now < found.code_expires and found.code_attempts < reset_codes.MAX_WRONG_CODES
    if not live:
        if found.code_expires:
            found.code_expires = 0.0
            save(ctx, conn, found)
        return reset_codes.Verdict.EXPIRED
    found.code_attempts += 1
    save(ctx, conn, found)
    return reset_codes.Verdict.WRONG
