"""Sign-in steps shared by InitiateAuth, AdminInitiateAuth and both RespondToAuthChallenge operations.

Every step after the first factor goes through ``mfa_decision.next_step``; identity in a challenge
response always comes from the session row (a ``USERNAME`` that names someone else is refused); a
session is bound to its pool and client and is spent (deleted) in the transaction that uses it up.
Wrong passwords and wrong codes count into one lockout (``lockout``) and that count is committed
before the error is raised. Outward messages stay uniform; the log records the real cause.

The password hash is checked *outside* the write transaction (argon2 is slow; holding SQLite's write
lock through it would serialise every sign-in) and the user row is re-read inside it, so the lockout
decision is made on fresh state. Emails are sent after the transaction commits.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mfa_portal.cognito_api import errors
from mfa_portal.mail import Message
from mfa_portal.pool import email_otp, lockout, token_store, totp
from mfa_portal.pool.auth_sessions import (
    INVALID,
    AuthSession,
    create_session,
    load_session,
    spend_session,
    update_session,
)
from mfa_portal.pool.context import Context
from mfa_portal.pool.delivery import send_all
from mfa_portal.pool.mfa_decision import (
    Challenge,
    ChallengeName,
    Factor,
    IssueTokens,
    Stage,
    challenge_for,
    next_step,
    pool_mfa_of,
    user_mfa_of,
)
from mfa_portal.pool.password_policy import enforce_policy
from mfa_portal.pool.pools import AppClient, Pool, load_client, load_pool
from mfa_portal.pool.secret_hash import check_secret_hash, require_secret_hash
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.pool.users import USER_NOT_FOUND, User, find_user, load_user_by_id, save_user
from mfa_portal.security_events import emit

log = logging.getLogger("mfa_portal.pool.sign_in")

WRONG_PASSWORD = "Incorrect username or password."
DISABLED = "User is disabled."
NOT_CONFIRMED = "User is not confirmed."
RESET_REQUIRED = "Password reset required for the user"
TEMP_EXPIRED = "Temporary password has expired and must be reset by an administrator."
CODE_MISMATCH = "Invalid code or auth state for the user."
NO_SOFTWARE_TOKEN = "Software Token MFA does not exist for the user."
MAX_WRONG_CODES = 3  # per challenge session; the user-wide lockout bounds guesses across sessions

_UNSUPPORTED_FLOWS = {"USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH"}
_REFRESH = "ALLOW_REFRESH_TOKEN_AUTH"
_PUBLIC_FLOWS = {
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "REFRESH_TOKEN_AUTH": _REFRESH,
    "REFRESH_TOKEN": _REFRESH,
}
_ADMIN_FLOWS = {
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "REFRESH_TOKEN_AUTH": _REFRESH,
    "REFRESH_TOKEN": _REFRESH,
}
_OPEN_STAGES = {Stage.PASSWORD_OK.value, Stage.NEW_PASSWORD_SET.value}


@dataclass(frozen=True)
class App:
    """The pool and app client a call is made through."""

    pool: Pool
    client: AppClient


@dataclass
class Outcome:
    """The operation's response, plus emails to send once the transaction has committed."""

    response: dict[str, Any]
    outbox: list[Message] = field(default_factory=list)


def resolve_app(ctx: Context, client_id: str, pool_id: str | None = None) -> App:
    """ResourceNotFoundException for an unknown pool, or a client that is not in it."""
    with ctx.read() as conn:
        if pool_id is not None:
            load_pool(conn, pool_id)
        client = load_client(conn, client_id, pool_id)
        return App(load_pool(conn, client.pool_id), client)


def deliver(ctx: Context, outcome: Outcome) -> dict[str, Any]:
    """Send the outcome's mail (after the transaction has committed) and return its response."""
    send_all(ctx.engine.mailer, outcome.outbox, failure="Unable to deliver the code.")
    return outcome.response


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise errors.InvalidParameterException(f"Missing required parameter {name}")
    return value


# --- first factor -------------------------------------------------------------------------------


def initiate(ctx: Context, app: App, flow: str, params: dict[str, Any], *, admin: bool) -> Outcome:
    if flow in _UNSUPPORTED_FLOWS:
        raise errors.InvalidParameterException(
            f"{flow} is not supported by the embedded user pool; use USER_PASSWORD_AUTH or "
            "ADMIN_USER_PASSWORD_AUTH (see docs/compatibility.md)."
        )
    allow = (_ADMIN_FLOWS if admin else _PUBLIC_FLOWS).get(flow)
    if allow is None:
        raise errors.InvalidParameterException("Initiate Auth method not supported.")
    if not app.client.allows(allow):
        raise errors.InvalidParameterException(
            "USER_PASSWORD_AUTH flow not enabled for this client"
            if flow == "USER_PASSWORD_AUTH"
            else "Auth flow not enabled for this client"
        )
    if allow == _REFRESH:
        return refresh(ctx, app, params)
    return password_sign_in(ctx, app, params)


def password_sign_in(ctx: Context, app: App, params: dict[str, Any]) -> Outcome:
    username = _required(params, "USERNAME")
    password = _required(params, "PASSWORD")
    check_secret_hash(app.client, [username], params.get("SECRET_HASH"))
    hasher = ctx.engine.hasher
    with ctx.read() as conn:
        seen = find_user(conn, app.pool, username)
    # An unknown user costs the same (a dummy hash is verified): no timing oracle.
    ok = hasher.verify(None if seen is None else seen.password_hash, password)
    if seen is None:
        log.info("sign-in refused in %s: unknown user", app.pool.id)
        emit("sign-in.password-failed", user=username, pool=app.pool.id, ip=ctx.source_ip,
             outcome="failure", reason="unknown user")  # fmt: skip
        raise _unknown_user(app.client)
    with ctx.tx() as conn:
        try:
            user = load_user_by_id(conn, seen.id)
        except errors.UserNotFoundException:  # deleted meanwhile
            raise _unknown_user(app.client) from None
        if user.password_hash != seen.password_hash:  # changed meanwhile: judge the current one
            ok = hasher.verify(user.password_hash, password)
        _check_not_locked(ctx, user)  # a right password is refused while locked, too
        if user.status == "RESET_REQUIRED" and (ok or not app.client.prevent_user_existence_errors):
            raise errors.PasswordResetRequiredException(RESET_REQUIRED)
        if not ok:
            lockout.record_failure(user, ctx.now)
            save_user(conn, user, ctx.now)
            _refused(user, f"wrong password (failure {user.failed_attempts})")
            _failed(ctx, user, "sign-in.password-failed", "wrong password")
            raise CommitThenRaise(errors.NotAuthorizedException(WRONG_PASSWORD))
        if not user.enabled:
            raise errors.NotAuthorizedException(DISABLED)
        if user.status == "UNCONFIRMED":
            raise errors.UserNotConfirmedException(NOT_CONFIRMED)
        if user.status == "FORCE_CHANGE_PASSWORD":
            if user.temp_password_expires is not None and ctx.now >= user.temp_password_expires:
                raise errors.NotAuthorizedException(TEMP_EXPIRED)
            return open_challenge(
                ctx,
                conn,
                app,
                user,
                Challenge(ChallengeName.NEW_PASSWORD_REQUIRED),
                Stage.PASSWORD_OK,
            )
        return proceed(ctx, conn, app, user, Stage.PASSWORD_OK)


def _unknown_user(client: AppClient) -> errors.CognitoError:
    if client.prevent_user_existence_errors:
        return errors.error("NotAuthorizedException", WRONG_PASSWORD)
    return errors.error("UserNotFoundException", USER_NOT_FOUND)


def refresh(ctx: Context, app: App, params: dict[str, Any]) -> Outcome:
    """REFRESH_TOKEN_AUTH: new tokens in the same family; never an MFA challenge (spec §4.6)."""
    token = _required(params, "REFRESH_TOKEN")
    require_secret_hash(app.client, params.get("SECRET_HASH"))
    with ctx.tx() as conn:
        family = token_store.load_family_by_refresh(conn, token)
        if family is not None and app.client.secret:
            owner = load_user_by_id(conn, family.user_id)
            check_secret_hash(app.client, [owner.username, owner.sub], params.get("SECRET_HASH"))
        result = token_store.refresh_tokens(ctx, conn, app.pool, app.client, token)
    return Outcome({"AuthenticationResult": result, "ChallengeParameters": {}})


# --- the decision and the challenges it opens ------------------------------------------------------


def proceed(ctx: Context, conn: sqlite3.Connection, app: App, user: User, stage: Stage) -> Outcome:
    """Ask ``next_step`` what follows ``stage``, then issue tokens or open that challenge."""
    mfa = user_mfa_of(
        mfa_enabled=user.mfa_enabled,
        preferred=user.preferred_mfa,
        attributes=user.attributes,
        recovery=app.pool.settings.get("AccountRecoverySetting"),
        has_totp=totp.has_verified_token(conn, user.id),
        totp_pending=totp.has_pending_association(conn, user.id),
    )
    step = next_step(pool_mfa_of(app.pool.mfa), mfa, stage)
    if isinstance(step, IssueTokens):
        return _tokens(ctx, conn, app, user)
    return open_challenge(ctx, conn, app, user, step, stage)


def open_challenge(
    ctx: Context, conn: sqlite3.Connection, app: App, user: User, challenge: Challenge, stage: Stage
) -> Outcome:
    """Store the session for ``challenge`` and build its response (sending a code if it needs one)."""
    name, options = challenge.name, [f.value for f in challenge.options]
    params: dict[str, str] = {}
    data: dict[str, Any] = {}
    outbox: list[Message] = []
    if name is ChallengeName.SOFTWARE_TOKEN_MFA:
        params = {
            "FRIENDLY_DEVICE_NAME": totp.friendly_name(conn, user.id) or "",
            "USER_ID_FOR_SRP": user.username,
        }
    elif name is ChallengeName.EMAIL_OTP:
        email = user.attributes["email"]
        code = email_otp.new_code(ctx)
        data = email_otp.seal_code(ctx, code, email)
        outbox.append(email_otp.code_message(app.pool.mfa, email, code))
        params = {
            "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
            "CODE_DELIVERY_DESTINATION": email_otp.mask_email(email),
        }
    elif name is ChallengeName.SELECT_MFA_TYPE:
        params = {"MFAS_CAN_CHOOSE": _json(options)}
        data = {"choices": options}
    elif name is ChallengeName.MFA_SETUP:
        params = {"MFAS_CAN_SETUP": _json(options)}
    else:  # NEW_PASSWORD_REQUIRED
        params = {
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": "[]",
            "userAttributes": _json(user.attributes),
        }
    session = create_session(
        ctx,
        conn,
        pool_id=app.pool.id,
        client_id=app.client.id,
        user_id=user.id,
        stage=stage.value,
        challenge=name.value,
        ttl_seconds=app.client.auth_session_seconds,
        data=data,
    )
    log.info("challenge %s opened for user %s in %s", name.value, user.sub, app.pool.id)
    return Outcome(
        {"ChallengeName": name.value, "Session": session, "ChallengeParameters": params}, outbox
    )


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _tokens(ctx: Context, conn: sqlite3.Connection, app: App, user: User) -> Outcome:
    lockout.record_success(user)
    save_user(conn, user, ctx.now)
    result = token_store.issue_tokens(ctx, conn, app.pool, app.client, user)
    log.info("sign-in completed for user %s in %s", user.sub, app.pool.id)
    emit("sign-in.succeeded", user=user.username, pool=app.pool.id, ip=ctx.source_ip,
         outcome="success")  # fmt: skip
    return Outcome({"AuthenticationResult": result, "ChallengeParameters": {}})


def _refused(user: User, cause: str) -> None:
    log.info("sign-in refused for user %s in %s: %s", user.sub, user.pool_id, cause)


def _failed(ctx: Context, user: User, event: str, reason: str) -> None:
    """Security events for a counted failure, and for the lockout it may have started."""
    where = {"user": user.username, "pool": user.pool_id, "ip": ctx.source_ip}
    emit(event, **where, outcome="failure", reason=reason, failures=user.failed_attempts)
    if user.locked_until > ctx.now:
        seconds = round(user.locked_until - ctx.now, 3)
        emit("user.locked-out", logging.WARNING, **where, lock_seconds=seconds)


def _check_not_locked(ctx: Context, user: User) -> None:
    """``lockout.check_not_locked``, logging the refusal as a security event."""
    try:
        lockout.check_not_locked(user, ctx.now)
    except errors.NotAuthorizedException:
        emit("sign-in.refused-locked", logging.WARNING, user=user.username,
             pool=user.pool_id, ip=ctx.source_ip, outcome="failure", reason="locked out")  # fmt: skip
        raise


# --- challenge responses ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One challenge response, after the session, identity and SECRET_HASH checks."""

    app: App
    session: str
    found: AuthSession
    user: User
    responses: dict[str, Any]
    new_hash: str | None = None  # NEW_PASSWORD_REQUIRED: the checked, hashed new password


def respond(
    ctx: Context, app: App, name: str, session: str | None, responses: dict[str, Any]
) -> Outcome:
    handler = _HANDLERS.get(name)
    if handler is None:
        raise errors.InvalidParameterException(
            f"{name} is not supported by the embedded user pool (see docs/compatibility.md)."
        )
    if not session:
        raise errors.InvalidParameterException("Missing required parameter Session")
    username = _required(responses, "USERNAME")
    check_secret_hash(app.client, [username], responses.get("SECRET_HASH"))
    new_hash = _new_password_hash(ctx, app, responses) if name == "NEW_PASSWORD_REQUIRED" else None
    with ctx.tx() as conn:
        found = _live_session(ctx, conn, app, session, name)
        user = load_user_by_id(conn, found.user_id)
        named = find_user(conn, app.pool, username)
        if named is None or named.id != user.id:
            _refused(user, "USERNAME in the challenge response names another user")
            raise errors.NotAuthorizedException(INVALID)
        if not user.enabled:
            raise errors.NotAuthorizedException(DISABLED)
        return handler(ctx, conn, Answer(app, session, found, user, responses, new_hash))


def _live_session(
    ctx: Context, conn: sqlite3.Connection, app: App, session: str, name: str
) -> AuthSession:
    """The session, if it belongs to this pool and client and answers ``name`` at this stage."""
    found = load_session(ctx, conn, session)
    if found.pool_id != app.pool.id or found.client_id != app.client.id:
        raise errors.NotAuthorizedException(INVALID)
    if name == ChallengeName.MFA_SETUP:  # only VerifySoftwareToken's session completes it
        fits = found.stage == Stage.SETUP_VERIFIED
    else:
        fits = found.challenge == name and found.stage in _OPEN_STAGES
    if not fits:
        raise errors.NotAuthorizedException(INVALID)
    return found


def _new_password_hash(ctx: Context, app: App, responses: dict[str, Any]) -> str:
    """Policy check and argon2 hash of NEW_PASSWORD, done before the write transaction."""
    password = _required(responses, "NEW_PASSWORD")
    if any(key.startswith("userAttributes.") for key in responses):
        raise errors.InvalidParameterException(
            "Setting attributes in a NEW_PASSWORD_REQUIRED response is not supported by the embedded "
            "user pool; use AdminUpdateUserAttributes."
        )
    enforce_policy(app.pool, password)
    return ctx.engine.hasher.hash(password)


def _answer_new_password(ctx: Context, conn: sqlite3.Connection, a: Answer) -> Outcome:
    if a.user.status != "FORCE_CHANGE_PASSWORD" or a.new_hash is None:
        raise errors.NotAuthorizedException(INVALID)
    a.user.password_hash = a.new_hash
    a.user.status = "CONFIRMED"
    a.user.temp_password_expires = None
    save_user(conn, a.user, ctx.now)
    spend_session(ctx, conn, a.session)
    return proceed(ctx, conn, a.app, a.user, Stage.NEW_PASSWORD_SET)


def _answer_software_token(ctx: Context, conn: sqlite3.Connection, a: Answer) -> Outcome:
    code = _required(a.responses, "SOFTWARE_TOKEN_MFA_CODE")
    if not totp.has_verified_token(conn, a.user.id):
        raise errors.SoftwareTokenMFANotFoundException(NO_SOFTWARE_TOKEN)
    return _answer_code(ctx, conn, a, lambda: totp.verify_signin_code(ctx, conn, a.user, code))


def _answer_email(ctx: Context, conn: sqlite3.Connection, a: Answer) -> Outcome:
    code = _required(a.responses, "EMAIL_OTP_CODE")

    def accepted() -> bool:
        if not email_otp.check_code(a.found.data, code):
            return False
        a.user.attributes["email_verified"] = "true"  # "marked verified after first success" (§6)
        return True

    return _answer_code(ctx, conn, a, accepted)


def _answer_code(
    ctx: Context, conn: sqlite3.Connection, a: Answer, accepted: Callable[[], bool]
) -> Outcome:
    """Lockout first (a right code is refused while locked); a wrong code is counted and committed."""
    _check_not_locked(ctx, a.user)
    if not accepted():
        lockout.record_failure(a.user, ctx.now)
        save_user(conn, a.user, ctx.now)
        wrong = int(a.found.data.get("wrong", 0)) + 1
        if wrong >= MAX_WRONG_CODES:
            spend_session(ctx, conn, a.session)
        else:
            a.found.data["wrong"] = wrong
            update_session(conn, a.found)
        _refused(a.user, f"wrong or replayed {a.found.challenge} code ({wrong} in this session)")
        _failed(ctx, a.user, "sign-in.mfa-failed", f"{a.found.challenge} code rejected")
        raise CommitThenRaise(errors.CodeMismatchException(CODE_MISMATCH))
    spend_session(ctx, conn, a.session)
    return _tokens(ctx, conn, a.app, a.user)


def _answer_select(ctx: Context, conn: sqlite3.Connection, a: Answer) -> Outcome:
    choice = _required(a.responses, "ANSWER")
    if choice not in a.found.data.get("choices", []):
        raise errors.InvalidParameterException(
            "ANSWER must be one of the MFA types offered in MFAS_CAN_CHOOSE."
        )
    spend_session(ctx, conn, a.session)
    return open_challenge(
        ctx, conn, a.app, a.user, challenge_for(Factor(choice)), Stage(a.found.stage)
    )


def _answer_setup(ctx: Context, conn: sqlite3.Connection, a: Answer) -> Outcome:
    spend_session(ctx, conn, a.session)
    return proceed(ctx, conn, a.app, a.user, Stage.SETUP_VERIFIED)


_Handler = Callable[[Context, sqlite3.Connection, Answer], Outcome]
_HANDLERS: dict[str, _Handler] = {
    "SOFTWARE_TOKEN_MFA": _answer_software_token,
    "EMAIL_OTP": _answer_email,
    "SELECT_MFA_TYPE": _answer_select,
    "MFA_SETUP": _answer_setup,
    "NEW_PASSWORD_REQUIRED": _answer_new_password,
}
