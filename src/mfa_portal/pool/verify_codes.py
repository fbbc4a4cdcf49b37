"""Sign-up confirmation and attribute verification codes (spec §6, §12): one live code per purpose.

A code is 6 digits from the injected CSPRNG, valid for 24 hours (Cognito's sign-up and
attribute-verification lifetime); a new request replaces the old code. As with reset codes, only a
salted HMAC-SHA256 is kept and it is sealed with the pool's secret box, bound to its user and
purpose. Five wrong guesses void a code and at most five codes are sent per user and purpose per
hour, so at most 25 guesses an hour. A row may carry the *pending* new value of an attribute that
changes only once verified (``AttributesRequireVerificationBeforeUpdate``). Every function runs in
the caller's write transaction; on ``Verdict.WRONG`` the caller commits before raising.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidTag

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool.context import Context
from mfa_portal.pool.ids import numeric_code
from mfa_portal.storage import Connection, Row

SIGN_UP = "signup"
EMAIL = "attribute:email"
CODE_SECONDS = 24 * 3600.0
MAX_WRONG_CODES = 5
MAX_REQUESTS_PER_HOUR = 5
_HOUR = 3600.0


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"  # never sent, expired, void after too many guesses, or already used


@dataclass(frozen=True)
class Checked:
    verdict: Verdict
    destination: str = ""
    pending_value: str | None = None


def _context(user_id: int, purpose: str) -> str:
    return f"verify-code:{user_id}:{purpose}"


def _digest(salt: bytes, user_id: int, purpose: str, code: str) -> str:
    return hmac.new(salt, f"{user_id}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def _seal(ctx: Context, user_id: int, purpose: str, code: str) -> str:
    salt = ctx.random_bytes(16)
    digest = _digest(salt, user_id, purpose, code)
    return ctx.engine.seal.seal(f"{salt.hex()}:{digest}", _context(user_id, purpose))


def _matches(ctx: Context, user_id: int, purpose: str, stored: str, code: str) -> bool:
    try:
        opened = ctx.engine.seal.open(stored, _context(user_id, purpose))
        salt_hex, digest = opened.split(":", 1)
        salt = bytes.fromhex(salt_hex)
    except (InvalidTag, ValueError):
        return False
    return hmac.compare_digest(_digest(salt, user_id, purpose, code), digest)


def _row(conn: Connection, user_id: int, purpose: str) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT * FROM verification_codes WHERE user_id = ? AND purpose = ?", (user_id, purpose)
    ).fetchone()
    return row


def issue_code(
    ctx: Context,
    conn: Connection,
    user_id: int,
    purpose: str,
    *,
    destination: str,
    pending_value: str | None = None,
) -> str:
    """Store a fresh code (replacing any earlier one) and return it for delivery after commit.

    LimitExceededException once ``MAX_REQUESTS_PER_HOUR`` codes were sent in the last hour.
    """
    row = _row(conn, user_id, purpose)
    recent = [] if row is None else [float(t) for t in json.loads(row["requests"])]
    recent = [t for t in recent if ctx.now - t < _HOUR]
    if len(recent) >= MAX_REQUESTS_PER_HOUR:
        raise errors.LimitExceededException(messages.ATTEMPT_LIMIT_EXCEEDED)
    recent.append(ctx.now)
    code = numeric_code(ctx, 6)
    conn.execute(
        "INSERT INTO verification_codes (user_id, purpose, code_hash, destination, pending_value, "
        "expires_at, attempts, requests, created) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) "
        "ON CONFLICT(user_id, purpose) DO UPDATE SET code_hash=excluded.code_hash, "
        "destination=excluded.destination, pending_value=excluded.pending_value, "
        "expires_at=excluded.expires_at, attempts=0, requests=excluded.requests, "
        "created=excluded.created",
        (
            user_id,
            purpose,
            _seal(ctx, user_id, purpose, code),
            destination,
            pending_value,
            ctx.now + CODE_SECONDS,
            json.dumps(recent),
            ctx.now,
        ),
    )
    return code


def pending_value(conn: Connection, user_id: int, purpose: str) -> str | None:
    """The value waiting for verification, if any (whether or not its code is still live)."""
    row = _row(conn, user_id, purpose)
    return None if row is None else row["pending_value"]


def check_code(ctx: Context, conn: Connection, user_id: int, purpose: str, code: str) -> Checked:
    """Judge ``code``: spend it if right (the pending value is handed back), count it if wrong."""
    row = _row(conn, user_id, purpose)
    if row is None or row["code_hash"] is None:
        return Checked(Verdict.EXPIRED)
    if ctx.now >= row["expires_at"] or row["attempts"] >= MAX_WRONG_CODES:
        _void(conn, user_id, purpose)
        return Checked(Verdict.EXPIRED)
    if _matches(ctx, user_id, purpose, row["code_hash"], code):
        conn.execute(
            "UPDATE verification_codes SET code_hash = NULL, pending_value = NULL "
            "WHERE user_id = ? AND purpose = ?",
            (user_id, purpose),
        )
        return Checked(Verdict.ACCEPTED, row["destination"], row["pending_value"])
    attempts = int(row["attempts"]) + 1
    conn.execute(
        "UPDATE verification_codes SET attempts = ?, "
        "code_hash = CASE WHEN ? >= ? THEN NULL ELSE code_hash END "
        "WHERE user_id = ? AND purpose = ?",
        (attempts, attempts, MAX_WRONG_CODES, user_id, purpose),
    )
    return Checked(Verdict.WRONG)


def _void(conn: Connection, user_id: int, purpose: str) -> None:
    conn.execute(
        "UPDATE verification_codes SET code_hash = NULL WHERE user_id = ? AND purpose = ?",
        (user_id, purpose),
    )


def clear_pending(conn: Connection, user_id: int, purpose: str) -> None:
    """Drop a pending value and its code (the attribute was changed another way); limits stay."""
    conn.execute(
        "UPDATE verification_codes SET code_hash = NULL, pending_value = NULL "
        "WHERE user_id = ? AND purpose = ?",
        (user_id, purpose),
    )
