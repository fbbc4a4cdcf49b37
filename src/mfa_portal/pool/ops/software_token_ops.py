"""AssociateSoftwareToken, VerifySoftwareToken and AdminDeleteSoftwareToken (spec §3.3, §5).

Associate and Verify are authorised by an access token (a signed-in user adding or replacing TOTP)
or by an ``MFA_SETUP`` session from the sign-in flow; each session call spends its session and
returns a new one (Associate → Verify → RespondToAuthChallenge, spec §4.5). Identity always comes
from the token or the session row, never from the request.

Verify checks the *pending* secret, consumes the step (so the enrolment code cannot sign in) and
counts a wrong code into the user's lockout, committed before the error is raised. With an access
token, Verify does not activate TOTP: the caller calls SetUserMFAPreference next (spec §3.1). With a
session it does, because Cognito keeps challenging users who enrolled through MFA_SETUP (spec §1.8).
"""

from __future__ import annotations

from dataclasses import dataclass

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import auth_sessions, lockout, totp
from mfa_portal.pool.access import authenticate_access_token
from mfa_portal.pool.auth_sessions import AuthSession, SessionStage
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import Pool, load_client, load_pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.pool.users import User, get_user, load_user_by_id, save_user
from mfa_portal.storage import Connection

SETUP = "MFA_SETUP"
#: An association not verified within this time is dropped: an abandoned set-up must not linger
#: (Cognito keeps it indefinitely; docs/compatibility.md lists the difference).
PENDING_SECONDS = 15 * 60


@dataclass
class Caller:
    """Whose token is being set up, and the MFA_SETUP session that authorised it, if any."""

    pool: Pool
    user: User
    session: AuthSession | None


def _caller(
    ctx: Context, conn: Connection, p: Params, stages: set[SessionStage], *, spend: bool
) -> Caller:
    token, session = p.get("AccessToken"), p.get("Session")
    if (token is None) == (session is None):
        raise errors.InvalidParameterException(messages.TOKEN_OR_SESSION)
    if session is None:
        who = authenticate_access_token(ctx, conn, str(token))
        return Caller(who.pool, who.user, None)
    load = auth_sessions.spend_session if spend else auth_sessions.load_session
    found = load(ctx, conn, str(session), challenges={SETUP})
    if found.stage not in stages:
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)
    user = load_user_by_id(conn, found.user_id)
    if user.pool_id != found.pool_id:
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)
    if not user.enabled:
        raise errors.NotAuthorizedException(messages.USER_DISABLED)
    return Caller(load_pool(conn, found.pool_id), user, found)


def _require_totp(pool: Pool) -> None:
    if not pool.totp_enabled or pool.mfa_configuration == "OFF":
        raise errors.SoftwareTokenMFANotFoundException(messages.SOFTWARE_TOKEN_NOT_ENABLED)


def _next_session(
    ctx: Context, conn: Connection, previous: AuthSession, stage: SessionStage
) -> str:
    client = load_client(conn, previous.client_id, pool_id=previous.pool_id)
    return auth_sessions.create_session(
        ctx,
        conn,
        pool_id=previous.pool_id,
        client_id=previous.client_id,
        user_id=previous.user_id,
        stage=stage,
        challenge=SETUP,
        ttl_seconds=client.auth_session_seconds,
        data=dict(previous.data),
    )


@operation("AssociateSoftwareToken")
def associate_software_token(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        caller = _caller(
            ctx, conn, p, {SessionStage.PASSWORD_OK, SessionStage.NEW_PASSWORD_SET}, spend=True
        )
        _require_totp(caller.pool)
        result: Result = {"SecretCode": totp.start_association(ctx, conn, caller.user.id)}
        if caller.session is not None:
            result["Session"] = _next_session(
                ctx, conn, caller.session, SessionStage.SETUP_ASSOCIATED
            )
    return result


@operation("VerifySoftwareToken")
def verify_software_token(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        # Load, not spend: a wrong code may be retried with the same session until it expires.
        caller = _caller(ctx, conn, p, {SessionStage.SETUP_ASSOCIATED}, spend=False)
        pool, user = caller.pool, caller.user
        _require_totp(pool)
        since = totp.pending_since(conn, user.id)
        if since is not None and ctx.now - since > PENDING_SECONDS:
            totp.drop_pending(conn, user.id)
            raise CommitThenRaise(
                errors.SoftwareTokenMFANotFoundException(messages.SOFTWARE_TOKEN_NOT_ASSOCIATED)
            )
        if since is None:
            raise errors.SoftwareTokenMFANotFoundException(messages.SOFTWARE_TOKEN_NOT_ASSOCIATED)
        lockout.guard(
            conn,
            user,
            ctx.now,
            lambda: (
                totp.verify_association(ctx, conn, user, p["UserCode"], p.get("FriendlyDeviceName"))
                is totp.Verdict.ACCEPTED
            ),
            errors.EnableSoftwareTokenMFAException(messages.SOFTWARE_TOKEN_CODE_MISMATCH),
            reset=True,
        )
        result: Result = {"Status": "SUCCESS"}
        if caller.session is not None:
            auth_sessions.spend_session(ctx, conn, p["Session"], challenges={SETUP})
            _activate_totp(user)
            result["Session"] = _next_session(
                ctx, conn, caller.session, SessionStage.SETUP_VERIFIED
            )
        save_user(conn, user, ctx.now)
    return result


def _activate_totp(user: User) -> None:
    if totp.NAME not in user.mfa_enabled:
        user.mfa_enabled.append(totp.NAME)
    if user.preferred_mfa is None:
        user.preferred_mfa = totp.NAME


@operation("AdminDeleteSoftwareToken")
def admin_delete_software_token(ctx: Context, p: Params) -> Result:
    """The support reset: forget the token and any TOTP preference, keep other factors (spec §1.1).

    Pending challenge sessions of the user are dropped too, so a sign-in waiting for the old
    authenticator cannot be finished (ASVS 2.8.6: revocation is immediately effective).
    """
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        user = get_user(conn, pool, p["Username"])
        if not totp.delete_token(conn, user.id):
            raise errors.ResourceNotFoundException(messages.SOFTWARE_TOKEN_NOT_REGISTERED)
        user.mfa_enabled = [f for f in user.mfa_enabled if f != totp.NAME]
        if user.preferred_mfa == totp.NAME:
            user.preferred_mfa = None
        save_user(conn, user, ctx.now)
        auth_sessions.drop_user_sessions(conn, user.id)
    return {}
