"""One-time codes that prove the user's mailbox before a password-only session may bind an
authenticator (``MFA_PORTAL_ENROLMENT_PROOF=email``).

After a support or recovery-code reset the password alone would otherwise decide who enrols next.
Each code is 8 digits from the CSPRNG, argon2id-hashed at rest, valid for a few minutes (ASVS
2.7.2: at most 10), single use (a compare-and-set on its row), and rate-limited: 5 wrong tries
spend it, and at most 3 are sent per user in 15 minutes. A new code replaces the previous one.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from mfa_portal.admin.recovery_codes import default_hasher
from mfa_portal.admin.store import PortalStore

DIGITS = 8
MAX_ATTEMPTS = 5
MAX_SENDS = 3
SEND_WINDOW_SECONDS = 15 * 60


class Check(StrEnum):
    """Why a code was accepted or not: the page says one sentence, the audit the cause."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    NONE = "none"
    TOO_MANY = "too_many"


class EnrolmentCodes:
    def __init__(
        self,
        store: PortalStore,
        *,
        lifetime_seconds: float = 600,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self._store = store
        self._lifetime = lifetime_seconds
        self._hasher = hasher or default_hasher()

    def issue(self, pool_id: str, user_sub: str, now: float) -> str | None:
        """A new code (returned once, in clear), or None when the send limit is reached."""
        code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
        digest = self._hasher.hash(code)
        with self._store.transaction() as conn:
            row = conn.execute(
                "SELECT sends, window_start FROM enrolment_codes WHERE pool_id = ? AND user_sub = ?",
                (pool_id, user_sub),
            ).fetchone()
            sends, window = 1, now
            if row is not None and now - row["window_start"] < SEND_WINDOW_SECONDS:
                if row["sends"] >= MAX_SENDS:
                    return None
                sends, window = row["sends"] + 1, row["window_start"]
            conn.execute(
                "INSERT INTO enrolment_codes (pool_id, user_sub, code_hash, sent_at,"
                " expires_at, attempts, used_at, sends, window_start)"
                " VALUES (?, ?, ?, ?, ?, 0, NULL, ?, ?) ON CONFLICT (pool_id, user_sub) DO UPDATE"
                " SET code_hash = excluded.code_hash, sent_at = excluded.sent_at,"
                " expires_at = excluded.expires_at, attempts = 0, used_at = NULL,"
                " sends = excluded.sends, window_start = excluded.window_start",
                (pool_id, user_sub, digest, now, now + self._lifetime, sends, window),
            )
        return code

    def consume(self, pool_id: str, user_sub: str, code: str, now: float) -> Check:
        """Check ``code``; when right it is spent, so it never works twice."""
        with self._store.transaction() as conn:
            row = conn.execute(
                "SELECT code_hash, expires_at, attempts, used_at FROM enrolment_codes"
                " WHERE pool_id = ? AND user_sub = ?",
                (pool_id, user_sub),
            ).fetchone()
            if row is None:
                return Check.NONE
            if row["used_at"] is not None:
                return Check.USED
            if row["attempts"] >= MAX_ATTEMPTS:
                return Check.TOO_MANY
            if now > row["expires_at"]:
                return Check.EXPIRED
            if not (
                code.isdigit() and len(code) == DIGITS and self._matches(row["code_hash"], code)
            ):
                conn.execute(
                    "UPDATE enrolment_codes SET attempts = attempts + 1"
                    " WHERE pool_id = ? AND user_sub = ?",
                    (pool_id, user_sub),
                )
                return Check.WRONG
            cur = conn.execute(
                "UPDATE enrolment_codes SET used_at = ? WHERE pool_id = ? AND user_sub = ?"
                " AND used_at IS NULL",
                (now, pool_id, user_sub),
            )
            return Check.ACCEPTED if cur.rowcount == 1 else Check.USED

    def _matches(self, stored: str, code: str) -> bool:
        try:
            return self._hasher.verify(stored, code)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
