"""ForgotPassword, ConfirmForgotPassword and AdminResetUserPassword (spec §8, §7.3, §12).

The reset code goes to the first mechanism of the pool's AccountRecoverySetting the user qualifies
for (unset: verified phone, then verified email), never to the user's email-MFA channel: a password
reset must not also hand over the second factor (ASVS 6.4.3). A completed reset signs the user out
everywhere and leaves MFA untouched, so the next sign-in still asks for the second factor. Codes
live in ``reset_codes``; mail is sent after the transaction commits.

Differences from Amazon Cognito (for docs/compatibility.md):
- No SMS: a verified phone number never receives a code, so a phone-first pool falls through to email.
- Users in FORCE_CHANGE_PASSWORD may reset too (Cognito reportedly refuses there: UNCONFIRMED).
- Limits are fixed (5 codes/hour/user, 5 wrong guesses void a code), not Cognito's risk-adaptive 5–20.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass

from mfa_portal.cognito_api import errors, messages
from mfa_portal.mail import Message
from mfa_portal.pool import lockout, reset_codes, token_store, unknown_names
from mfa_portal.pool.context import Context
from mfa_portal.pool.delivery import deliver
from mfa_portal.pool.email_otp import PLACEHOLDER, mask_email
from mfa_portal.pool.flow_types import Outcome
from mfa_portal.pool.mfa_decision import PoolMode, pool_mfa_of, recovery_channels
from mfa_portal.pool.password_policy import enforce_policy
from mfa_portal.pool.pool_settings import recovery_names
from mfa_portal.pool.pools import Pool, load_pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.pool.secret_hash import check_secret_hash
from mfa_portal.pool.sign_in import resolve_app
from mfa_portal.pool.srp_store import save_verifier
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.pool.users import User, find_user, get_user
from mfa_portal.storage import Connection

log = logging.getLogger("mfa_portal.pool.recovery")

DEFAULT_SUBJECT = "Your password reset code"
DEFAULT_MESSAGE = "Your password reset code is {####}. It is valid for one hour."
LEGACY_ORDER = ["verified_phone_number", "verified_email"]
_SIMULATED_DOMAINS = "ghoyimap"  # first letters of common mail domains


# --- where a code may go ----------------------------------------------------------------------------


def admin_only(pool: Pool) -> bool:
    return recovery_names(pool.settings) == ["admin_only"]


def email_is_mfa(pool: Pool, user: User) -> bool:
    """Whether the user's email carries MFA codes (so it must not carry reset codes, spec §8.1).

    Activated or preferred email MFA counts whatever the pool says; in an ON pool with email MFA,
    email is used implicitly unless it is the user's only recovery channel (as ``mfa_decision``).
    """
    if "EMAIL_OTP" in user.mfa_enabled or user.preferred_mfa == "EMAIL_OTP":
        return True
    mfa = pool_mfa_of(pool.mfa)
    if mfa.mode is not PoolMode.ON or not mfa.email_enabled or not user.attributes.get("email"):
        return False
    recovery = pool.settings.get("AccountRecoverySetting")
    return recovery_channels(user.attributes, recovery) != ["verified_email"]


def reset_destination(pool: Pool, user: User) -> str | None:
    """The email address a reset code for ``user`` goes to, or None when no mechanism qualifies."""
    names = recovery_names(pool.settings) or LEGACY_ORDER
    email = user.attributes.get("email")
    verified = bool(email) and user.attributes.get("email_verified") == "true"
    # verified_phone_number never qualifies here: the embedded pool does not deliver SMS.
    if "verified_email" in names and verified and email and not email_is_mfa(pool, user):
        return email
    return None


def reset_message(pool: Pool, to: str, code: str) -> Message:
    """The pool's VerificationMessageTemplate email (when it has ``{####}``), else our default."""
    template = pool.settings.get("VerificationMessageTemplate") or {}
    body = str(template.get("EmailMessage") or DEFAULT_MESSAGE)
    if PLACEHOLDER not in body:  # never send a code-less mail
        body = DEFAULT_MESSAGE
    subject = str(template.get("EmailSubject") or DEFAULT_SUBJECT)
    return Message(to=to, subject=subject, body=body.replace(PLACEHOLDER, code))


def delivery_details(destination: str) -> Result:
    return {
        "CodeDeliveryDetails": {
            "Destination": destination,
            "DeliveryMedium": "EMAIL",
            "AttributeName": "email",
        }
    }


def _simulation_key(ctx: Context, pool_id: str) -> bytes:
    """A per-pool random key, created on first use, for stable simulated destinations."""
    query = "SELECT simulation_key FROM recovery_keys WHERE pool_id = ?"
    with ctx.read() as conn:
        row = conn.execute(query, (pool_id,)).fetchone()
    if row is None:
        with ctx.tx() as conn:
            conn.execute(
                "INSERT INTO recovery_keys (pool_id, simulation_key) VALUES (?, ?) "
                "ON CONFLICT DO NOTHING",
                (pool_id, ctx.random_bytes(32).hex()),
            )
            row = conn.execute(query, (pool_id,)).fetchone()
    return bytes.fromhex(row["simulation_key"])


def simulated_destination(ctx: Context, pool: Pool, name: str) -> str:
    """A believable masked address for a user who cannot get a code (PreventUserExistenceErrors).

    The same name always gets the same answer, and the domain letter is keyed, so repeating the
    request or recomputing it offline does not tell an unknown user from a real one.
    """
    if "@" in name:
        return mask_email(name)
    key = _simulation_key(ctx, pool.id)
    digest = hmac.new(key, pool.username_key(name).encode(), hashlib.sha256).digest()
    first = name[:1].lower() if name[:1].isascii() and name[:1].isalnum() else "u"
    return f"{first}***@{_SIMULATED_DOMAINS[digest[0] % len(_SIMULATED_DOMAINS)]}***"


# --- ForgotPassword ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    destination: str | None  # the real address, or None to answer with a simulated one
    shown: str | None  # an address to mask in a simulated answer (a real user's email), if any
    code: str | None = None


def _plan_forgot(ctx: Context, conn: Connection, pool: Pool, name: str, prevent: bool) -> _Plan:
    """With ``prevent``, every name is counted against the same hourly limit, whether a code can
    go out or not (an undelivered code for a user, ``unknown_names`` for a name that is none)."""
    user = find_user(conn, pool, name)
    if user is None:
        log.info("forgot-password in %s: unknown user", pool.id)
        if not prevent:
            raise errors.UserNotFoundException(messages.USERNAME_CLIENT_NOT_FOUND)
        unknown_names.request_code(ctx, conn, pool, name)
        return _Plan(None, None)
    shown = user.attributes.get("email")
    if not user.enabled:
        log.info("forgot-password refused for user %s: disabled", user.sub)
        if not prevent:
            raise errors.NotAuthorizedException(messages.USER_DISABLED)
        reset_codes.issue_code(ctx, conn, user.id, counted=True)  # never sent
        return _Plan(None, shown)
    destination = reset_destination(pool, user)
    if destination is None:
        log.info("forgot-password refused for user %s: no usable recovery channel", user.sub)
        if not prevent:
            raise errors.InvalidParameterException(messages.NO_RECOVERY_DESTINATION)
        reset_codes.issue_code(ctx, conn, user.id, counted=True)  # never sent
        return _Plan(None, shown)
    code = reset_codes.issue_code(ctx, conn, user.id, counted=True)
    log.info("forgot-password code issued for user %s in %s", user.sub, pool.id)
    return _Plan(destination, shown, code)


@operation("ForgotPassword")
def forgot_password(ctx: Context, p: Params) -> Result:
    app = resolve_app(ctx, str(p["ClientId"]))
    name = str(p["Username"])
    check_secret_hash(app.client, [name], p.get("SecretHash"))
    if admin_only(app.pool):
        raise errors.NotAuthorizedException(messages.CONTACT_ADMIN)
    prevent = app.client.prevent_user_existence_errors
    with ctx.tx() as conn:
        plan = _plan_forgot(ctx, conn, app.pool, name, prevent)
    if plan.destination is None or plan.code is None:
        shown = mask_email(plan.shown) if plan.shown else simulated_destination(ctx, app.pool, name)
        return delivery_details(shown)
    message = reset_message(app.pool, plan.destination, plan.code)
    return deliver(ctx, Outcome(delivery_details(mask_email(plan.destination)), [message]))


# --- ConfirmForgotPassword ---------------------------------------------------------------------------


@operation("ConfirmForgotPassword")
def confirm_forgot_password(ctx: Context, p: Params) -> Result:
    """Check the code and set the password in one transaction: of two racing confirms, one wins.

    The new password is hashed only for a code that a read a moment before found right, and before
    the write lock: a wrong, dead or made-up code costs the caller a request and the server no
    argon2 hash (every refusal, for a user or an unknown name, skips it alike)."""
    app = resolve_app(ctx, str(p["ClientId"]))
    name = str(p["Username"])
    check_secret_hash(app.client, [name], p.get("SecretHash"))
    password = str(p["Password"])
    enforce_policy(app.pool, password, field="password")
    code = str(p["ConfirmationCode"])
    new_hash: str | None = None
    with ctx.read() as conn:
        found = find_user(conn, app.pool, name)
        right = found is not None and reset_codes.may_accept(ctx, conn, found.id, code)
    if right:
        new_hash = ctx.engine.hasher.hash(password)
    prevent = app.client.prevent_user_existence_errors
    with ctx.tx() as conn:
        user = find_user(conn, app.pool, name)
        if user is None or not user.enabled:
            log.info("confirm-forgot-password in %s: unknown or disabled user", app.pool.id)
            if not prevent:
                if user is None:
                    raise errors.UserNotFoundException(messages.USERNAME_CLIENT_NOT_FOUND)
                raise errors.NotAuthorizedException(messages.USER_DISABLED)
        # With PreventUserExistenceErrors, an unknown or disabled name is answered as a user with
        # a code they do not know: mismatch while one was requested and lives, else expired.
        if user is None:
            verdict = unknown_names.check_code(ctx, conn, app.pool, name)
        else:
            verdict = reset_codes.check_code(ctx, conn, user.id, code)
            if verdict is reset_codes.Verdict.ACCEPTED and not user.enabled:
                verdict = reset_codes.Verdict.WRONG  # disabled: even the right code resets nothing
        who = "an unknown name" if user is None else f"user {user.sub}"
        if verdict is reset_codes.Verdict.EXPIRED:
            log.info("confirm-forgot-password for %s: no live code", who)
            raise CommitThenRaise(errors.ExpiredCodeException(messages.CONFIRMATION_CODE_EXPIRED))
        if verdict is reset_codes.Verdict.WRONG or user is None:
            log.info("confirm-forgot-password for %s: wrong code", who)
            raise CommitThenRaise(errors.CodeMismatchException(messages.CONFIRMATION_CODE_MISMATCH))
        if new_hash is None:  # a code issued or replaced since the read: rare, hashed here
            new_hash = ctx.engine.hasher.hash(password)
        user.password_hash = new_hash
        user.status = "CONFIRMED"
        user.temp_password_expires = None
        save_verifier(
            ctx,
            conn,
            user_id=user.id,
            pool_id=app.pool.id,
            username=user.username,
            password=password,
        )
        lockout.record_success(user)
        token_store.revoke_user_tokens(ctx, conn, user)  # signs out everywhere; saves the user
    log.info("password reset completed for user %s in %s", user.sub, app.pool.id)
    return {}


# --- AdminResetUserPassword --------------------------------------------------------------------------


@operation("AdminResetUserPassword")
def admin_reset_user_password(ctx: Context, p: Params) -> Result:
    """RESET_REQUIRED, tokens revoked, a code sent; the user finishes with ConfirmForgotPassword.

    The password hash is kept so that ``sign_in`` can tell its owner "Password reset required for
    the user" (even with PreventUserExistenceErrors); it no longer signs anyone in.
    """
    with ctx.tx() as conn:
        pool = load_pool(conn, str(p["UserPoolId"]))
        user = get_user(conn, pool, str(p["Username"]))
        if admin_only(pool):
            raise errors.InvalidParameterException(messages.NO_SELF_SERVICE_RECOVERY)
        destination = reset_destination(pool, user)
        if destination is None:
            raise errors.InvalidParameterException(messages.NO_RECOVERY_DESTINATION)
        code = reset_codes.issue_code(ctx, conn, user.id, counted=False)
        user.status = "RESET_REQUIRED"
        user.temp_password_expires = None
        token_store.revoke_user_tokens(ctx, conn, user)  # saves the user
    log.info("admin reset of user %s in %s", user.sub, pool.id)
    return deliver(ctx, Outcome({}, [reset_message(pool, destination, code)]))
