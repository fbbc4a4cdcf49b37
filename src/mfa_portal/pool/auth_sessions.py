"""Challenge sessions: explicit, persisted, single-use, expiring flow state (STYLE habit 6).

The opaque ``Session`` string handed to the client is random; only its SHA-256 is stored. Identity for
every challenge response comes from the row, never from the request. A session is deleted the moment
it is spent; a wrong code may keep it alive for a retry (see ``keep``), bounded by its expiry and the
user's lockout.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool.context import Context
from mfa_portal.pool.purge import purge_expired
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.security_events import emit
from mfa_portal.storage import Connection


class SessionStage(StrEnum):
    """How far the sign-in a session belongs to has come; the database stores the value."""

    SRP_STARTED = "srp_started"  # USER_SRP_AUTH: PASSWORD_VERIFIER sent (never stored: the
    # challenge travels sealed in its SECRET_BLOCK, see srp_blocks), the claim not yet checked
    PASSWORD_OK = "password_ok"  # the password (first factor) was right
    NEW_PASSWORD_SET = "new_password_set"  # NEW_PASSWORD_REQUIRED was answered
    SETUP_ASSOCIATED = "setup_associated"  # MFA_SETUP: AssociateSoftwareToken gave a secret
    SETUP_VERIFIED = "setup_verified"  # MFA_SETUP: VerifySoftwareToken accepted its code


@dataclass
class AuthSession:
    id_hash: str
    pool_id: str
    client_id: str
    user_id: int
    stage: SessionStage
    challenge: str  # the challenge this session answers (NEW_PASSWORD_REQUIRED, MFA_SETUP, ...)
    created: float
    expires_at: float
    data: dict[str, Any] = field(default_factory=dict)

    def valid(self, now: float) -> bool:
        return now < self.expires_at


def _digest(session: str) -> str:
    return hashlib.sha256(session.encode()).hexdigest()


def create_session(
    ctx: Context,
    conn: Connection,
    *,
    pool_id: str,
    client_id: str,
    user_id: int,
    stage: SessionStage,
    challenge: str,
    ttl_seconds: int,
    data: dict[str, Any] | None = None,
) -> str:
    """Store a new session and return its opaque string (~400 chars, like Cognito's ``AYAB…``)."""
    token = "AYAB" + base64.urlsafe_b64encode(ctx.random_bytes(288)).decode().rstrip("=")
    conn.execute(
        "INSERT INTO auth_sessions (id_hash, pool_id, client_id, user_id, stage, challenge, data, created, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            _digest(token),
            pool_id,
            client_id,
            user_id,
            stage.value,
            challenge,
            json.dumps(data or {}),
            ctx.now,
            ctx.now + ttl_seconds,
        ),
    )
    purge_expired(conn, "auth_sessions", "id_hash", ctx.now - 3600)
    return token


def peek_session(conn: Connection, session: str) -> tuple[int, dict[str, Any]] | None:
    """The user and data of the session ``session`` names, read without a check or a side effect:
    for work done before a transaction, which then loads the session with ``load_session``."""
    row = conn.execute(
        "SELECT user_id, data FROM auth_sessions WHERE id_hash = ?", (_digest(session),)
    ).fetchone()
    if row is None or row["user_id"] is None:
        return None
    return int(row["user_id"]), json.loads(row["data"])


def load_session(
    ctx: Context, conn: Connection, session: str, *, challenges: set[str] | None = None
) -> AuthSession:
    """The live session for ``session``; NotAuthorizedException if unknown, spent, expired or misused.

    Call it inside ``Database.transaction()``: an expired session is deleted and that deletion is
    committed (``CommitThenRaise``) before the error reaches the caller.
    """
    row = conn.execute(
        "SELECT * FROM auth_sessions WHERE id_hash = ?", (_digest(session),)
    ).fetchone()
    if row is None:
        emit(
            "auth-session.refused", **ctx.addresses(), outcome="failure", reason="unknown or spent"
        )
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)
    found = AuthSession(
        row["id_hash"],
        row["pool_id"],
        row["client_id"],
        row["user_id"],
        SessionStage(row["stage"]),
        row["challenge"],
        row["created"],
        row["expires_at"],
        json.loads(row["data"]),
    )
    if not found.valid(ctx.now):
        # Commit the removal: a plain raise would roll it back with the caller's transaction.
        conn.execute("DELETE FROM auth_sessions WHERE id_hash = ?", (found.id_hash,))
        emit(
            "auth-session.refused",
            pool=found.pool_id,
            **ctx.addresses(),
            outcome="failure",
            reason="expired",
        )
        raise CommitThenRaise(errors.NotAuthorizedException(messages.SESSION_EXPIRED))
    if challenges is not None and found.challenge not in challenges:
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)
    return found


def spend_session(
    ctx: Context, conn: Connection, session: str, *, challenges: set[str] | None = None
) -> AuthSession:
    """Load and delete in one step; the row count decides a race (exactly one caller gets it)."""
    found = load_session(ctx, conn, session, challenges=challenges)
    deleted = conn.execute("DELETE FROM auth_sessions WHERE id_hash = ?", (found.id_hash,)).rowcount
    if deleted != 1:
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)
    return found


def update_session(conn: Connection, found: AuthSession) -> None:
    """Persist changes to a live session's stage, challenge or data (e.g. a failed-attempt count)."""
    conn.execute(
        "UPDATE auth_sessions SET stage = ?, challenge = ?, data = ? WHERE id_hash = ?",
        (found.stage.value, found.challenge, json.dumps(found.data), found.id_hash),
    )


def drop_user_sessions(conn: Connection, user_id: int) -> None:
    """Forget every pending challenge of a user (sign-out everywhere, disable, token reset)."""
    conn.execute("DELETE FROM auth_sessions WHERE user_id = ?", (user_id,))
