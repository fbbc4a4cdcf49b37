"""SignUp, ConfirmSignUp and ResendConfirmationCode (spec §4.2, §7.2, §7.3, §12).

A signed-up user is UNCONFIRMED until the code mailed to their email is confirmed; the code goes
out only when the pool auto-verifies email (``AutoVerifiedAttributes``), otherwise an administrator
confirms. The password is checked against the policy and hashed before the write lock, and its SRP
verifier is stored with the user, so USER_SRP_AUTH works once confirmed. Codes live in
``verify_codes``; mail is sent after the transaction commits.

Differences from Amazon Cognito (for docs/compatibility.md):
- No SMS: a pool that auto-verifies only phone_number sends no code.
- No Lambda triggers (pre sign-up auto-confirmation), no ``ValidationData``, no passwordless sign-up.
"""

from __future__ import annotations

import logging
import uuid

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import attributes, verify_codes
from mfa_portal.pool.context import Context
from mfa_portal.pool.delivery import deliver
from mfa_portal.pool.flow_types import App, Outcome
from mfa_portal.pool.ops.recovery_ops import simulated_destination
from mfa_portal.pool.password_policy import enforce_policy
from mfa_portal.pool.pools import Pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.pool.secret_hash import check_secret_hash
from mfa_portal.pool.sign_in import resolve_app
from mfa_portal.pool.srp_store import new_verifier, store_verifier
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.pool.users import find_user, insert_user, save_user, username_taken
from mfa_portal.pool.verification_mail import (
    auto_verifies_email,
    email_delivery,
    verification_message,
)
from mfa_portal.storage import Connection

log = logging.getLogger("mfa_portal.pool.signup")


def _new_attributes(pool: Pool, username: str, p: Params) -> tuple[str | None, dict[str, str]]:
    """Validate the self-chosen attributes; verified flags are not the user's to set."""
    given = attributes.to_dict(p.get("UserAttributes"))
    if set(given) & set(attributes.VERIFIED_FLAGS):
        raise errors.NotAuthorizedException(messages.UNAUTHORIZED_ATTRIBUTE_WRITE)
    return attributes.new_user_attributes(pool, username, given)


def _refuse_taken(conn: Connection, pool: Pool, username: str) -> None:
    """UsernameExistsException for a name in use, even with PreventUserExistenceErrors (§7.3)."""
    if username_taken(conn, pool, username):
        raise errors.UsernameExistsException(messages.USER_ALREADY_EXISTS)


@operation("SignUp")
def sign_up(ctx: Context, p: Params) -> Result:
    app = resolve_app(ctx, str(p["ClientId"]))
    given = str(p["Username"])
    check_secret_hash(app.client, [given], p.get("SecretHash"))
    pool = app.pool
    if (pool.settings.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
        raise errors.NotAuthorizedException(messages.SIGN_UP_NOT_PERMITTED)
    if p.get("Password") is None:
        raise errors.InvalidParameterException(messages.SIGN_UP_PASSWORD_REQUIRED)
    password = str(p["Password"])
    username_attr, attrs = _new_attributes(pool, given, p)
    enforce_policy(pool, password, field="password")
    sub = str(uuid.UUID(bytes=ctx.random_bytes(16), version=4))
    username = sub if username_attr is not None else given
    with ctx.read() as conn:  # a name that is taken buys no hash (the transaction checks again)
        _refuse_taken(conn, pool, username)
    password_hash = ctx.engine.hasher.hash(password)  # both before the write lock
    verifier = new_verifier(ctx, pool_id=pool.id, username=username, password=password)
    email = attrs.get("email")
    send_code = bool(email) and auto_verifies_email(pool)
    with ctx.tx() as conn:
        _refuse_taken(conn, pool, username)
        attributes.enforce_uniqueness(
            conn, pool, attrs, set(attrs), user_id=None, force_alias=False, now=ctx.now
        )
        user = insert_user(
            conn,
            pool,
            username=username,
            sub=sub,
            status="UNCONFIRMED",
            attrs=attrs,
            password_hash=password_hash,
            temp_password_expires=None,
            now=ctx.now,
        )
        store_verifier(ctx, conn, user.id, verifier)
        code = None
        if send_code and email:
            code = verify_codes.issue_code(
                ctx, conn, user.id, verify_codes.SIGN_UP, destination=email
            )
    log.info("sign-up of user %s in %s", sub, pool.id)
    response: Result = {"UserConfirmed": False, "UserSub": sub}
    if code is None or not email:
        return response
    response["CodeDeliveryDetails"] = email_delivery(email)
    return deliver(ctx, Outcome(response, [verification_message(pool, email, code)]))


def _unknown(app: App, prevent_error: errors.CognitoError) -> errors.CognitoError:
    return (
        prevent_error
        if app.client.prevent_user_existence_errors
        else errors.UserNotFoundException(messages.USERNAME_CLIENT_NOT_FOUND)
    )


@operation("ConfirmSignUp")
def confirm_sign_up(ctx: Context, p: Params) -> Result:
    """Check the code and confirm in one transaction; the email it went to becomes verified."""
    app = resolve_app(ctx, str(p["ClientId"]))
    name = str(p["Username"])
    check_secret_hash(app.client, [name], p.get("SecretHash"))
    with ctx.tx() as conn:
        user = find_user(conn, app.pool, name)
        if user is None:
            log.info("confirm-sign-up in %s: unknown user", app.pool.id)
            raise _unknown(app, errors.CodeMismatchException(messages.CONFIRMATION_CODE_MISMATCH))
        if user.status != "UNCONFIRMED":
            raise errors.NotAuthorizedException(messages.CONFIRM_NOT_UNCONFIRMED)
        checked = verify_codes.check_code(
            ctx, conn, user.id, verify_codes.SIGN_UP, str(p["ConfirmationCode"])
        )
        if checked.verdict is verify_codes.Verdict.EXPIRED:
            raise CommitThenRaise(errors.ExpiredCodeException(messages.CONFIRMATION_CODE_EXPIRED))
        if checked.verdict is verify_codes.Verdict.WRONG:
            log.info("confirm-sign-up for user %s: wrong code", user.sub)
            raise CommitThenRaise(errors.CodeMismatchException(messages.CONFIRMATION_CODE_MISMATCH))
        user.status = "CONFIRMED"
        if checked.destination and checked.destination == user.attributes.get("email"):
            user.attributes["email_verified"] = "true"
            attributes.enforce_uniqueness(
                conn,
                app.pool,
                user.attributes,
                {"email_verified"},
                user_id=user.id,
                force_alias=bool(p.get("ForceAliasCreation")),
                now=ctx.now,
            )
        save_user(conn, user, ctx.now)
    log.info("sign-up confirmed for user %s in %s", user.sub, app.pool.id)
    return {}


def _resend_plan(ctx: Context, app: App, name: str) -> tuple[str, str] | None:
    """``(email, code)`` for a user awaiting confirmation; None for an unknown user."""
    with ctx.tx() as conn:
        user = find_user(conn, app.pool, name)
        if user is None:
            return None
        if user.status != "UNCONFIRMED":
            raise errors.InvalidParameterException(messages.USER_ALREADY_CONFIRMED)
        email = user.attributes.get("email")
        if not email or not auto_verifies_email(app.pool):
            raise errors.InvalidParameterException(messages.NO_AUTO_VERIFICATION)
        code = verify_codes.issue_code(ctx, conn, user.id, verify_codes.SIGN_UP, destination=email)
        return email, code


@operation("ResendConfirmationCode")
def resend_confirmation_code(ctx: Context, p: Params) -> Result:
    app = resolve_app(ctx, str(p["ClientId"]))
    name = str(p["Username"])
    check_secret_hash(app.client, [name], p.get("SecretHash"))
    plan = _resend_plan(ctx, app, name)
    if plan is None:
        log.info("resend-confirmation-code in %s: unknown user", app.pool.id)
        if not app.client.prevent_user_existence_errors:
            raise errors.UserNotFoundException(messages.USERNAME_CLIENT_NOT_FOUND)
        shown = simulated_destination(ctx, app.pool, name)
        return {"CodeDeliveryDetails": email_delivery(shown, masked=True)}
    email, code = plan
    message = verification_message(app.pool, email, code)
    return deliver(ctx, Outcome({"CodeDeliveryDetails": email_delivery(email)}, [message]))
