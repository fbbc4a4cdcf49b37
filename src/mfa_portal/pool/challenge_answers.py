"""Answers to the challenges of a sign-in (both RespondToAuthChallenge operations).

Identity always comes from the session row (for SRP's PASSWORD_VERIFIER, from the sealed block that
stands for one): a ``USERNAME`` that names someone else is refused (for SRP as a wrong claim, spent
and counted, since an unknown name's block answers any USERNAME so). The session is bound to its pool
and client and spent in the transaction that uses it up. What a
challenge answer costs in CPU (a new password's argon2 hash, SRP's exponentiations) is paid before
the write transaction, and only for a session that exists: a made-up session buys no hash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import email_otp, lockout, sign_in, srp_sign_in, totp
from mfa_portal.pool.auth_sessions import (
    AuthSession,
    SessionStage,
    load_session,
    peek_session,
    spend_session,
    update_session,
)
from mfa_portal.pool.context import Context
from mfa_portal.pool.flow_types import Answer, App, Outcome, required
from mfa_portal.pool.mfa_decision import ChallengeName, Factor, challenge_for
from mfa_portal.pool.password_policy import enforce_policy
from mfa_portal.pool.secret_hash import check_secret_hash
from mfa_portal.pool.srp_store import save_verifier
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.pool.users import find_user, load_user_by_id, save_user
from mfa_portal.storage import Connection

MAX_WRONG_CODES = 3  # per challenge session; the user-wide lockout bounds guesses across sessions
OPEN_STAGES = {SessionStage.PASSWORD_OK, SessionStage.NEW_PASSWORD_SET}


def respond(
    ctx: Context, app: App, name: str, session: str | None, responses: dict[str, Any]
) -> Outcome:
    handler = _HANDLERS.get(name)
    if handler is None:
        raise errors.InvalidParameterException(messages.not_supported(name))
    if name == srp_sign_in.CHALLENGE:
        # The SDKs answer with the secret block and (most of them) no Session.
        session = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    if not session:
        raise errors.InvalidParameterException(messages.missing_parameter("Session"))
    username = required(responses, "USERNAME")
    check_secret_hash(app.client, [username], responses.get("SECRET_HASH"))
    new_hash = (
        _new_password_hash(ctx, app, session, responses)
        if name == ChallengeName.NEW_PASSWORD_REQUIRED
        else None
    )
    srp_key = srp_sign_in.prepare_key(ctx, app, session) if name == srp_sign_in.CHALLENGE else None
    with ctx.tx() as conn:
        try:
            if name == srp_sign_in.CHALLENGE:
                found = srp_sign_in.live_challenge(ctx, conn, app, session)
            else:
                found = _live_session(ctx, conn, app, session, name)
        except (errors.NotAuthorizedException, CommitThenRaise) as exc:
            if name != srp_sign_in.CHALLENGE:
                raise
            # An unknown user's challenge is a decoy: counted against the name (sealed in its
            # block) like a user's wrong password, once, and every session problem of SRP reads
            # like a wrong password, so the second step does not tell who exists either.
            unknown = srp_sign_in.answered_decoy(ctx, conn, app, session)
            if unknown is not None:
                sign_in.refuse_unknown_name(ctx, app, unknown, conn)
            wrong = errors.NotAuthorizedException(messages.WRONG_PASSWORD)
            raise (CommitThenRaise(wrong) if isinstance(exc, CommitThenRaise) else wrong) from None
        user = load_user_by_id(conn, found.user_id, groups=False)
        named = find_user(conn, app.pool, username)
        named_user = named is not None and named.id == user.id
        if not named_user:
            sign_in.refused(user, "USERNAME in the challenge response names another user")
            if name != srp_sign_in.CHALLENGE:
                raise errors.NotAuthorizedException(messages.SESSION_INVALID)
        if not user.enabled and name != srp_sign_in.CHALLENGE:  # SRP: told after the proof
            raise errors.NotAuthorizedException(messages.USER_DISABLED)
        answer = Answer(app, session, found, user, responses, new_hash, srp_key, named_user)
        return handler(ctx, conn, answer)


def _live_session(ctx: Context, conn: Connection, app: App, session: str, name: str) -> AuthSession:
    """The session, if it belongs to this pool and client and answers ``name`` at this stage."""
    found = load_session(ctx, conn, session)
    if found.pool_id != app.pool.id or found.client_id != app.client.id:
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)
    if name == ChallengeName.MFA_SETUP:  # only VerifySoftwareToken's session completes it
        fits = found.stage is SessionStage.SETUP_VERIFIED
    else:
        fits = found.challenge == name and found.stage in OPEN_STAGES
    if not fits:
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)
    return found


def _new_password_hash(
    ctx: Context, app: App, session: str, responses: dict[str, Any]
) -> str | None:
    """Policy check and argon2 hash of NEW_PASSWORD, done before the write transaction; None (no
    hash) when ``session`` names no session: a made-up one must not buy a hash per request. The
    transaction refuses such an answer (``_answer_new_password``)."""
    password = required(responses, "NEW_PASSWORD")
    if any(key.startswith("userAttributes.") for key in responses):
        raise errors.InvalidParameterException(messages.NEW_PASSWORD_ATTRIBUTES_NOT_SUPPORTED)
    enforce_policy(app.pool, password)
    with ctx.single_statements() as conn:
        if peek_session(conn, session) is None:
            return None
    return ctx.engine.hasher.hash(password)


def _answer_new_password(ctx: Context, conn: Connection, a: Answer) -> Outcome:
    if a.user.status != "FORCE_CHANGE_PASSWORD" or a.new_hash is None:
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)
    a.user.password_hash = a.new_hash
    a.user.status = "CONFIRMED"
    a.user.temp_password_expires = None
    save_user(conn, a.user, ctx.now)
    save_verifier(
        ctx,
        conn,
        user_id=a.user.id,
        pool_id=a.app.pool.id,
        username=a.user.username,
        password=required(a.responses, "NEW_PASSWORD"),
    )
    spend_session(ctx, conn, a.session)
    return sign_in.proceed(ctx, conn, a.app, a.user, SessionStage.NEW_PASSWORD_SET)


def _answer_software_token(ctx: Context, conn: Connection, a: Answer) -> Outcome:
    code = required(a.responses, "SOFTWARE_TOKEN_MFA_CODE")
    if not totp.has_verified_token(conn, a.user.id):
        raise errors.SoftwareTokenMFANotFoundException(messages.SOFTWARE_TOKEN_MISSING)
    return _answer_code(ctx, conn, a, lambda: totp.verify_signin_code(ctx, conn, a.user, code))


def _answer_email(ctx: Context, conn: Connection, a: Answer) -> Outcome:
    code = required(a.responses, "EMAIL_OTP_CODE")

    def accepted() -> bool:
        if not email_otp.check_code(a.found.data, code):
            return False
        a.user.attributes["email_verified"] = "true"  # "marked verified after first success" (§6)
        return True

    return _answer_code(ctx, conn, a, accepted)


def _answer_code(
    ctx: Context, conn: Connection, a: Answer, accepted: Callable[[], bool]
) -> Outcome:
    """Under the lockout guard; a wrong code also counts against this session (3 end it)."""

    def wrong_code() -> None:
        wrong = int(a.found.data.get("wrong", 0)) + 1
        if wrong >= MAX_WRONG_CODES:
            spend_session(ctx, conn, a.session)
        else:
            a.found.data["wrong"] = wrong
            update_session(conn, a.found)
        sign_in.failed(
            ctx, a.user, "sign-in.mfa-failed", f"{a.found.challenge} code rejected ({wrong})"
        )

    lockout.guard(
        conn,
        a.user,
        ctx.now,
        accepted,
        errors.CodeMismatchException(messages.MFA_CODE_MISMATCH),
        on_failure=wrong_code,
        on_locked=lambda: sign_in.locked(ctx, a.user),
        reset=True,
    )
    spend_session(ctx, conn, a.session)
    return sign_in.issue_tokens(ctx, conn, a.app, a.user)


def _answer_select(ctx: Context, conn: Connection, a: Answer) -> Outcome:
    choice = required(a.responses, "ANSWER")
    if choice not in a.found.data.get("choices", []):
        raise errors.InvalidParameterException(messages.ANSWER_NOT_OFFERED)
    spend_session(ctx, conn, a.session)
    return sign_in.open_challenge(
        ctx, conn, a.app, a.user, challenge_for(Factor(choice)), a.found.stage
    )


def _answer_password_verifier(ctx: Context, conn: Connection, a: Answer) -> Outcome:
    """The SRP claim: one try per challenge (the session is spent either way), counted like a
    password. A ``USERNAME`` naming someone else fails like a wrong claim: an unknown name's block
    cannot tell a right USERNAME from a wrong one, so a user's must not answer differently."""
    ok = srp_sign_in.claim_is_valid(ctx, conn, a)  # judged either way: the same work
    srp_sign_in.spend(ctx, conn, a)
    cause = "wrong password" if a.named_user else "USERNAME names another user"
    return sign_in.finish_first_factor(ctx, conn, a.app, a.user, ok and a.named_user, cause)


def _answer_setup(ctx: Context, conn: Connection, a: Answer) -> Outcome:
    spend_session(ctx, conn, a.session)
    return sign_in.proceed(ctx, conn, a.app, a.user, SessionStage.SETUP_VERIFIED)


_Handler = Callable[[Context, Connection, Answer], Outcome]
_HANDLERS: dict[str, _Handler] = {
    "SOFTWARE_TOKEN_MFA": _answer_software_token,
    "EMAIL_OTP": _answer_email,
    "SELECT_MFA_TYPE": _answer_select,
    "MFA_SETUP": _answer_setup,
    "PASSWORD_VERIFIER": _answer_password_verifier,
    "NEW_PASSWORD_REQUIRED": _answer_new_password,
}
