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
from collections.abc import Callable
from typing import Any, NoReturn

from mfa_portal.cognito_api import errors, messages
from mfa_portal.mail import Message
from mfa_portal.pool import email_otp, lockout, srp_sign_in, token_store, totp, unknown_names
from mfa_portal.pool.auth_sessions import (
    AuthSession,
    SessionStage,
    create_session,
    load_session,
    spend_session,
    update_session,
)
from mfa_portal.pool.config_cache import current_stamp
from mfa_portal.pool.context import Context
from mfa_portal.pool.flow_types import Answer, App, Outcome, required
from mfa_portal.pool.ids import numeric_code
from mfa_portal.pool.mfa_decision import (
    Challenge,
    ChallengeName,
    Factor,
    IssueTokens,
    challenge_for,
    next_step,
    pool_mfa_of,
    user_mfa_of,
)
from mfa_portal.pool.password_policy import enforce_policy
from mfa_portal.pool.pools import load_client, load_pool
from mfa_portal.pool.secret_hash import check_secret_hash, require_secret_hash
from mfa_portal.pool.srp_store import has_verifier, save_verifier
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.pool.users import (
    User,
    find_user,
    load_user_by_id,
    save_user,
    save_user_if_changed,
)
from mfa_portal.security_events import emit
from mfa_portal.storage import Connection

log = logging.getLogger("mfa_portal.pool.sign_in")

MAX_WRONG_CODES = 3  # per challenge session; the user-wide lockout bounds guesses across sessions

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
_OPEN_STAGES = {SessionStage.PASSWORD_OK, SessionStage.NEW_PASSWORD_SET}


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
        on_failure=lambda: _failed(ctx, user, "sign-in.password-failed", cause),
        on_locked=lambda: _locked(ctx, user),
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
        return _tokens(ctx, conn, app, user)
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


def _tokens(ctx: Context, conn: Connection, app: App, user: User) -> Outcome:
    lockout.record_success(user)
    save_user_if_changed(conn, user, ctx.now)
    tokens = token_store.start_family(ctx, conn, app.pool, app.client, user)
    log.debug("sign-in completed for user %s in %s", user.sub, app.pool.id)  # the event says it
    emit("sign-in.succeeded", user=user.username, pool=app.pool.id, **ctx.addresses(),
         outcome="success")  # fmt: skip
    return Outcome({"ChallengeParameters": {}}, tokens=tokens)  # signed by ``deliver``


def _refused(user: User, cause: str) -> None:
    log.info("sign-in refused for user %s in %s: %s", user.sub, user.pool_id, cause)


def _failed(ctx: Context, user: User, event: str, reason: str) -> None:
    """Security events for a counted failure, and for the lockout it may have started."""
    _refused(user, f"{reason} (failure {user.failed_attempts})")
    where = {"user": user.username, "pool": user.pool_id, **ctx.addresses()}
    emit(event, **where, outcome="failure", reason=reason, failures=user.failed_attempts)
    if user.locked_until > ctx.now:
        seconds = round(user.locked_until - ctx.now, 3)
        emit("user.locked-out", logging.WARNING, **where, lock_seconds=seconds)


def _locked(ctx: Context, user: User) -> None:
    """The security event for an attempt refused because the user is locked out."""
    emit("sign-in.refused-locked", logging.WARNING, user=user.username,
         pool=user.pool_id, **ctx.addresses(), outcome="failure", reason="locked out")  # fmt: skip


# --- challenge responses ----------------------------------------------------------------------------


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
    new_hash = _new_password_hash(ctx, app, responses) if name == "NEW_PASSWORD_REQUIRED" else None
    srp_key = srp_sign_in.prepare_key(ctx, session) if name == srp_sign_in.CHALLENGE else None
    with ctx.tx() as conn:
        try:
            found = _live_session(ctx, conn, app, session, name)
        except (errors.NotAuthorizedException, CommitThenRaise) as exc:
            if name != srp_sign_in.CHALLENGE:
                raise
            # An unknown user's challenge has no session: counted against the name (sealed in its
            # block) like a user's wrong password, and every session problem of SRP reads like a
            # wrong password, so the second step does not tell who exists either.
            unknown = srp_sign_in.decoy_name(ctx, app.pool.id, session)
            if unknown is not None:
                refuse_unknown_name(ctx, app, unknown, conn)
            wrong = errors.NotAuthorizedException(messages.WRONG_PASSWORD)
            raise (CommitThenRaise(wrong) if isinstance(exc, CommitThenRaise) else wrong) from None
        user = load_user_by_id(conn, found.user_id, groups=False)
        named = find_user(conn, app.pool, username)
        if named is None or named.id != user.id:
            _refused(user, "USERNAME in the challenge response names another user")
            raise errors.NotAuthorizedException(messages.SESSION_INVALID)
        if not user.enabled and name != srp_sign_in.CHALLENGE:  # SRP: told after the proof
            raise errors.NotAuthorizedException(messages.USER_DISABLED)
        answer = Answer(app, session, found, user, responses, new_hash, srp_key)
        return handler(ctx, conn, answer)


def _live_session(ctx: Context, conn: Connection, app: App, session: str, name: str) -> AuthSession:
    """The session, if it belongs to this pool and client and answers ``name`` at this stage."""
    found = load_session(ctx, conn, session)
    if found.pool_id != app.pool.id or found.client_id != app.client.id:
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)
    if name == ChallengeName.MFA_SETUP:  # only VerifySoftwareToken's session completes it
        fits = found.stage is SessionStage.SETUP_VERIFIED
    elif name == srp_sign_in.CHALLENGE:
        fits = found.challenge == name and found.stage is SessionStage.SRP_STARTED
    else:
        fits = found.challenge == name and found.stage in _OPEN_STAGES
    if not fits:
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)
    return found


def _new_password_hash(ctx: Context, app: App, responses: dict[str, Any]) -> str:
    """Policy check and argon2 hash of NEW_PASSWORD, done before the write transaction."""
    password = required(responses, "NEW_PASSWORD")
    if any(key.startswith("userAttributes.") for key in responses):
        raise errors.InvalidParameterException(messages.NEW_PASSWORD_ATTRIBUTES_NOT_SUPPORTED)
    enforce_policy(app.pool, password)
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
    return proceed(ctx, conn, a.app, a.user, SessionStage.NEW_PASSWORD_SET)


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
        _failed(ctx, a.user, "sign-in.mfa-failed", f"{a.found.challenge} code rejected ({wrong})")

    lockout.guard(
        conn,
        a.user,
        ctx.now,
        accepted,
        errors.CodeMismatchException(messages.MFA_CODE_MISMATCH),
        on_failure=wrong_code,
        on_locked=lambda: _locked(ctx, a.user),
        reset=True,
    )
    spend_session(ctx, conn, a.session)
    return _tokens(ctx, conn, a.app, a.user)


def _answer_select(ctx: Context, conn: Connection, a: Answer) -> Outcome:
    choice = required(a.responses, "ANSWER")
    if choice not in a.found.data.get("choices", []):
        raise errors.InvalidParameterException(messages.ANSWER_NOT_OFFERED)
    spend_session(ctx, conn, a.session)
    return open_challenge(ctx, conn, a.app, a.user, challenge_for(Factor(choice)), a.found.stage)


def _answer_password_verifier(ctx: Context, conn: Connection, a: Answer) -> Outcome:
    """The SRP claim: one try per challenge (the session is spent either way), counted like a
    password."""
    ok = srp_sign_in.claim_is_valid(ctx, conn, a)
    spend_session(ctx, conn, a.session)
    return finish_first_factor(ctx, conn, a.app, a.user, ok, "wrong password")


def _answer_setup(ctx: Context, conn: Connection, a: Answer) -> Outcome:
    spend_session(ctx, conn, a.session)
    return proceed(ctx, conn, a.app, a.user, SessionStage.SETUP_VERIFIED)


_Handler = Callable[[Context, Connection, Answer], Outcome]
_HANDLERS: dict[str, _Handler] = {
    "SOFTWARE_TOKEN_MFA": _answer_software_token,
    "EMAIL_OTP": _answer_email,
    "SELECT_MFA_TYPE": _answer_select,
    "MFA_SETUP": _answer_setup,
    "PASSWORD_VERIFIER": _answer_password_verifier,
    "NEW_PASSWORD_REQUIRED": _answer_new_password,
}
