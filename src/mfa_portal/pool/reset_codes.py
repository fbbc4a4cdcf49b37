"""Password-reset codes (spec §8.2, §12): issue, rate-limit, check and consume, one row per user.

A code is 6 digits from the injected CSPRNG, valid for one hour; a new request replaces the old code.
Only a salted HMAC-SHA256 of the code is kept, and that digest is itself sealed with the pool's
secret box (the key lives outside the database), so a copied database file alone does not allow an
offline search of the 10^6 possible codes. Five wrong guesses void a code; at most five codes are
issued per user per hour. Together that bounds guesses at 25 an hour per user (ASVS 2.2.1 asks for at
most 100). Every function but ``may_accept`` (a read) runs inside the caller's write transaction; on
``Verdict.WRONG`` the caller commits the counted attempt before raising (``storage.CommitThenRaise``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from enum import StrEnum

from cryptography.exceptions import InvalidTag

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool.context import Context
from mfa_portal.pool.ids import numeric_code
from mfa_portal.storage import Connection, Row

CODE_DIGITS = 6
CODE_SECONDS = 3600.0  # "forgot-password code 1 h" (§12)
MAX_WRONG_CODES = 5
MAX_REQUESTS_PER_HOUR = 5
_HOUR = 3600.0


class Verdict(StrEnum):
    ACCEPTED = "accepted"  # the code matched and is now spent
    WRONG = "wrong"  # counted; the code may now be void
    EXPIRED = "expired"  # never requested, expired, void after too many guesses, or already used


def _context(user_id: int) -> str:
    return (
        f"reset-code:{user_id}"  # binds a sealed digest to its row: it cannot be moved to another
    )


def _digest(salt: bytes, user_id: int, code: str) -> str:
    return hmac.new(salt, f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def seal_code(ctx: Context, user_id: int, code: str) -> str:
    """What is stored for ``code``: the sealed ``salt:digest``, never the code."""
    salt = ctx.random_bytes(16)
    return ctx.engine.seal.seal(f"{salt.hex()}:{_digest(salt, user_id, code)}", _context(user_id))


def matches(ctx: Context, user_id: int, stored: str, code: str) -> bool:
    try:
        salt_hex, digest = ctx.engine.seal.open(stored, _context(user_id)).split(":", 1)
        salt = bytes.fromhex(salt_hex)
    except (InvalidTag, ValueError):  # a foreign key or a damaged row: the code is unusable
        return False
    return hmac.compare_digest(_digest(salt, user_id, code), digest)


def _recent_requests(row: Row | None, now: float) -> list[float]:
    if row is None:
        return []
    return [float(t) for t in json.loads(row["requests"]) if now - float(t) < _HOUR]


def issue_code(ctx: Context, conn: Connection, user_id: int, *, counted: bool) -> str:
    """Store a fresh code for ``user_id`` (replacing any earlier one) and return it for delivery.

    ``counted`` requests (ForgotPassword) are limited to ``MAX_REQUESTS_PER_HOUR`` in any sliding
    hour: LimitExceededException beyond that. An administrator's reset is not counted.
    """
    row = _code_row(conn, user_id)
    requests = _recent_requests(row, ctx.now)
    if counted:
        if len(requests) >= MAX_REQUESTS_PER_HOUR:
            raise errors.LimitExceededException(messages.ATTEMPT_LIMIT_EXCEEDED)
        requests.append(ctx.now)
    code = numeric_code(ctx, CODE_DIGITS)
    conn.execute(
        "INSERT INTO reset_codes (user_id, code_hash, expires_at, attempts, requests, created) "
        "VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT(user_id) DO UPDATE SET code_hash=excluded.code_hash, "
        "expires_at=excluded.expires_at, attempts=0, requests=excluded.requests, "
        "created=excluded.created",
        (
            user_id,
            seal_code(ctx, user_id, code),
            ctx.now + CODE_SECONDS,
            json.dumps(requests),
            ctx.now,
        ),
    )
    return code


def _code_row(conn: Connection, user_id: int) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT * FROM reset_codes WHERE user_id = ?", (user_id,)
    ).fetchone()
    return row


def _live(ctx: Context, row: Row) -> bool:
    """Whether ``row`` holds a code that can still be used: issued, not expired, not guessed out."""
    return (
        row["code_hash"] is not None
        and ctx.now < row["expires_at"]
        and row["attempts"] < MAX_WRONG_CODES
    )


def may_accept(ctx: Context, conn: Connection, user_id: int, code: str) -> bool:
    """Whether ``check_code`` would accept ``code`` now; reads only (counts and spends nothing).

    ConfirmForgotPassword asks before it hashes the new password, so a wrong or dead code costs
    the server no argon2 hash."""
    row = _code_row(conn, user_id)
    if row is None or not _live(ctx, row):
        return False
    return matches(ctx, user_id, row["code_hash"], code)


def check_code(ctx: Context, conn: Connection, user_id: int, code: str) -> Verdict:
    """Judge ``code`` against the user's live code: spend it if right, count the guess if wrong."""
    row = _code_row(conn, user_id)
    if row is None or not _live(ctx, row):
        if row is not None and row["code_hash"] is not None:
            void(conn, user_id)  # expired or guessed out: forgotten
        return Verdict.EXPIRED
    if matches(ctx, user_id, row["code_hash"], code):
        void(conn, user_id)
        return Verdict.ACCEPTED
    attempts = int(row["attempts"]) + 1
    conn.execute(
        "UPDATE reset_codes SET attempts = ?, "
        "code_hash = CASE WHEN ? >= ? THEN NULL ELSE code_hash END WHERE user_id = ?",
        (attempts, attempts, MAX_WRONG_CODES, user_id),
    )
    return Verdict.WRONG


def void(conn: Connection, user_id: int) -> None:
    """Forget the user's code (used, expired or guessed at too often); the request count stays."""
    conn.execute("UPDATE reset_codes SET code_hash = NULL WHERE user_id = ?", (user_id,))
