"""Sign-in steps shared by InitiateAuth, AdminInitiateAuth and both RespondToAuthChallenge operations
(whose answers are ``challenge_answers``).

Every step after the first factor goes through ``mfa_decision.next_step``, which opens the next
challenge or issues the tokens. Wrong passwords and wrong codes count into one lockout (``lockout``)
and that count is committed before the error is raised. Outward messages stay uniform; the log records the real cause.

The password hash is checked *outside* the write transaction (argon2 is slow; holding SQLite's write
lock through it would serialise every sign-in) and the user row is re-read inside it, so the lockout
decision is made on fresh state. Emails are sent after the transaction commits.
"""

from __future__ import annotations

import json
import logging
from typing import Any, NoReturn

from mfa_portal.cognito_api import errors, messages
from mfa_portal.mail import Message
from mfa_portal.pool import email_otp, lockout, srp_sign_in, token_store, totp, unknown_names
from mfa_portal.pool.auth_sessions import (
    SessionStage,
    create_session,
)
from mfa_portal.pool.config_cache import current_stamp
from mfa_portal.pool.context import Context
from mfa_portal.pool.flow_types import App, Outcome, required
from mfa_portal.pool.ids import numeric_code
from mfa_portal.pool.mfa_decision import (
    Challenge,
    ChallengeName,
    IssueTokens,
    next_step,
    pool_mfa_of,
    user_mfa_of,
)
from mfa_portal.pool.pools import load_client, load_pool
from mfa_portal.pool.secret_hash import check_secret_hash, require_secret_hash
from mfa_portal.pool.srp_store import has_verifier, save_verifier
from mfa_portal.pool.users import (
    User,
    find_user,
    load_user_by_id,
    save_user_if_changed,
)
from mfa_portal.security_events import emit
from mfa_portal.storage import Connection

log = logging.getLogger("mfa_portal.pool.sign_in")


_UNSUPPORTED_FLOWS = {"CUSTOM_AUTH", "USER_AUTH"}
_REFRESH = "ALLOW_REFRESH_TOKEN_AUTH"
_SRP = "ALLOW_USER_SRP_AUTH"
_PUBLIC_FLOWS = {
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": _SRP,
    "REFRESH_TOKEN_AUTH": _REFRESH,
    "REFRESH_TOKEN": _REFRESH,
}
_ADMIN_FLOWS = {
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": _SRP,
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "REFRESH_TOKEN_AUTH": _REFRESH,
    "REFRESH_TOKEN": _REFRESH,
}


def resolve_app(ctx: Context, client_id: str, pool_id: str | None = None) -> App:
    """ResourceNotFoundException for an unknown pool, or a client that is not in it."""
    with ctx.single_statements() as conn:  # one stamp read when both are cached
        stamp = current_stamp(conn)  # read first: a copy loaded after it is never older
        if pool_id is not None:
            load_pool(conn, pool_id, stamp=stamp)
        client = load_client(conn, client_id, pool_id, stamp=stamp)
        return App(load_pool(conn, client.pool_id, stamp=stamp), client)


# --- first factor -------------------------------------------------------------------------------


def initiate(ctx: Context, app: App, flow: str, params: dict[str, Any], *, admin: bool) -> Outcome:
    if flow in _UNSUPPORTED_FLOWS:
        raise errors.InvalidParameterException(messages.flow_not_supported(flow))
    allow = (_ADMIN_FLOWS if admin else _PUBLIC_FLOWS).get(flow)
    if allow is None:
        raise errors.InvalidParameterException(messages.INITIATE_AUTH_NOT_SUPPORTED)
    if not app.client.allows(allow):
        raise errors.InvalidParameterException(messages.flow_not_enabled(flow))
    if allow == _REFRESH:
        return refresh(ctx, app, params)
    if allow == _SRP:
        return srp_sign_in.start(ctx, app, params)
    return password_sign_in(ctx, app, params)


def password_sign_in(ctx: Context, app: App, params: dict[str, Any]) -> Outcome:
    username = required(params, "USERNAME")
    password = required(params, "PASSWORD")
    check_secret_hash(app.client, [username], params.get("SECRET_HASH"))
    hasher = ctx.engine.hasher
    with ctx.single_statements() as conn:  # a lookup: the transaction below reads the row again
        seen = find_user(conn, app.pool, username)
    # An unknown user costs the same (a dummy hash is verified): no timing oracle.
    ok = hasher.verify(None if seen is None else seen.password_hash, password)
    if seen is None:
        refuse_unknown_name(ctx, app, username)
    with ctx.tx() as conn:
        try:
            user = load_user_by_id(conn, seen.id, groups=False)
        except errors.UserNotFoundException:  # deleted meanwhile
            user = None
        if user is None:
            refuse_unknown_name(ctx, app, username, conn)
        if user.password_hash != seen.password_hash:  # changed meanwhile: judge the current one
            ok = hasher.verify(user.password_hash, password)
        if ok and not has_verifier(conn, user.id):  # set before SRP existed: the one chance
            save_verifier(
                ctx,
                conn,
                user_id=user.id,
                pool_id=app.pool.id,
                username=user.username,
                password=password,
            )
        return finish_first_factor(ctx, conn, app, user, ok, "wrong password")


def finish_first_factor(
    ctx: Context, conn: Connection, app: App, user: User, ok: bool, cause: str
) -> Outcome:
    """After the password (or its SRP proof) was judged: lockout, account state, then the next step.

    The guard refuses while locked (a right password too) and counts a wrong one; account states
    that a stranger must not learn (disabled, unconfirmed) are told only after a right password.
    Success does not reset the count here: only issued tokens do.
    """

    def accepted() -> bool:
        if user.status == "RESET_REQUIRED" and (ok or not app.client.prevent_user_existence_errors):
            raise errors.PasswordResetRequiredException(messages.PASSWORD_RESET_REQUIRED)
        return ok

    lockout.guard(
        conn,
        user,
        ctx.now,
        accepted,
        errors.NotAuthorizedException(messages.WRONG_PASSWORD),
        on_failure=lambda: failed(ctx, user, "sign-in.password-failed", cause),
        on_locked=lambda: locked(ctx, user),
    )
    if not user.enabled:
        raise errors.NotAuthorizedException(messages.USER_DISABLED)
    if user.status == "UNCONFIRMED":
        raise errors.UserNotConfirmedException(messages.USER_NOT_CONFIRMED)
    if user.status == "FORCE_CHANGE_PASSWORD":
        if user.temp_password_expires is not None and ctx.now >= user.temp_password_expires:
            raise errors.NotAuthorizedException(messages.TEMPORARY_PASSWORD_EXPIRED)
        return open_challenge(
            ctx,
            conn,
            app,
            user,
            Challenge(ChallengeName.NEW_PASSWORD_REQUIRED),
            SessionStage.PASSWORD_OK,
        )
    return proceed(ctx, conn, app, user, SessionStage.PASSWORD_OK)


def refuse_unknown_name(
    ctx: Context, app: App, username: str, conn: Connection | None = None
) -> NoReturn:
    """LEGACY clients are told; otherwise the name is counted and refused like a wrong password,
    "Password attempts exceeded" included, so the answers do not tell names from users."""
    log.info("sign-in refused in %s: unknown user", app.pool.id)
    emit("sign-in.password-failed", user=username, pool=app.pool.id, **ctx.addresses(),
         outcome="failure", reason="unknown user")  # fmt: skip
    if not app.client.prevent_user_existence_errors:
        raise errors.error("UserNotFoundException", messages.USER_NOT_FOUND)
    refusal = errors.error("NotAuthorizedException", messages.WRONG_PASSWORD)
    if conn is not None:
        unknown_names.refuse_sign_in(ctx, conn, app.pool, username, refusal)
    else:
        with ctx.tx() as fresh:
            unknown_names.refuse_sign_in(ctx, fresh, app.pool, username, refusal)
    raise refusal  # not reached: the guard always refuses


def refresh(ctx: Context, app: App, params: dict[str, Any]) -> Outcome:
    """REFRESH_TOKEN_AUTH: new tokens in the same family; never an MFA challenge (spec §4.6)."""
    token = required(params, "REFRESH_TOKEN")
    if app.client.rotates_refresh_tokens:  # a rotating family must move on with every refresh
        raise errors.InvalidParameterException(messages.ROTATION_NEEDS_GET_TOKENS)
    require_secret_hash(app.client, params.get("SECRET_HASH"))
    with ctx.tx() as conn:
        family = token_store.load_family_by_refresh(conn, token)
        if family is not None and app.client.secret:
            owner = load_user_by_id(conn, family.user_id)
            check_secret_hash(app.client, [owner.username, owner.sub], params.get("SECRET_HASH"))
        tokens = token_store.refresh_tokens(ctx, conn, app.pool, app.client, token)
    return Outcome({"ChallengeParameters": {}}, tokens=tokens)  # signed by ``deliver``


# --- the decision and the challenges it opens ------------------------------------------------------


def proceed(ctx: Context, conn: Connection, app: App, user: User, stage: SessionStage) -> Outcome:
    """Ask ``next_step`` what follows ``stage``, then issue tokens or open that challenge."""
    association = totp.association(conn, user.id)
    mfa = user_mfa_of(
        mfa_enabled=user.mfa_enabled,
        preferred=user.preferred_mfa,
        attributes=user.attributes,
        recovery=app.pool.settings.get("AccountRecoverySetting"),
        has_totp=association.verified,
        totp_pending=association.pending,
    )
    step = next_step(pool_mfa_of(app.pool.mfa), mfa, stage)
    if isinstance(step, IssueTokens):
        return issue_tokens(ctx, conn, app, user)
    return open_challenge(ctx, conn, app, user, step, stage)


def open_challenge(
    ctx: Context,
    conn: Connection,
    app: App,
    user: User,
    challenge: Challenge,
    stage: SessionStage,
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
        code = numeric_code(ctx, email_otp.CODE_DIGITS)
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
        stage=stage,
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


def issue_tokens(ctx: Context, conn: Connection, app: App, user: User) -> Outcome:
    lockout.record_success(user)
    save_user_if_changed(conn, user, ctx.now)
    tokens = token_store.start_family(ctx, conn, app.pool, app.client, user)
    log.debug("sign-in completed for user %s in %s", user.sub, app.pool.id)  # the event says it
    emit("sign-in.succeeded", user=user.username, pool=app.pool.id, **ctx.addresses(),
         outcome="success")  # fmt: skip
    return Outcome({"ChallengeParameters": {}}, tokens=tokens)  # signed by ``deliver``


def refused(user: User, cause: str) -> None:
    log.info("sign-in refused for user %s in %s: %s", user.sub, user.pool_id, cause)


def failed(ctx: Context, user: User, event: str, reason: str) -> None:
    """Security events for a counted failure, and for the lockout it may have started."""
    refused(user, f"{reason} (failure {user.failed_attempts})")
    where = {"user": user.username, "pool": user.pool_id, **ctx.addresses()}
    emit(event, **where, outcome="failure", reason=reason, failures=user.failed_attempts)
    if user.locked_until > ctx.now:
        seconds = round(user.locked_until - ctx.now, 3)
        emit("user.locked-out", logging.WARNING, **where, lock_seconds=seconds)


def locked(ctx: Context, user: User) -> None:
    """The security event for an attempt refused because the user is locked out."""
    emit("sign-in.refused-locked", logging.WARNING, user=user.username,
         pool=user.pool_id, **ctx.addresses(), outcome="failure", reason="locked out")  # fmt: skip
