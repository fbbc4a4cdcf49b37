"""A signed-in user's own attributes: UpdateUserAttributes, their verification, DeleteUser (spec §6, §10).

Each call is authorised by the user's access token. A new email is unverified until its code is
confirmed; when the pool lists email in ``UserAttributeUpdateSettings.
AttributesRequireVerificationBeforeUpdate`` (and auto-verifies email), the old address stays in
place, and keeps receiving mail, until the new one is verified: sign-in names and MFA codes never
move to an address nobody has proved. Codes live in ``verify_codes`` and go out after commit.

Differences from Amazon Cognito (for docs/compatibility.md):
- Only email can be verified: phone_number verification needs SMS, which the pool does not send.
- Client ``WriteAttributes`` are not enforced; the verified flags are never writable by the user.
"""

from __future__ import annotations

import logging
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.mail import Message
from mfa_portal.pool import attributes, verify_codes
from mfa_portal.pool.access import authenticate_access_token
from mfa_portal.pool.context import Context
from mfa_portal.pool.delivery import deliver
from mfa_portal.pool.flow_types import Outcome
from mfa_portal.pool.pools import Pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.pool.users import save_user
from mfa_portal.pool.verification_mail import (
    auto_verifies_email,
    email_delivery,
    verification_message,
)

log = logging.getLogger("mfa_portal.pool.attributes")


def _deferred(pool: Pool, name: str) -> bool:
    """Whether a new value of ``name`` waits for verification before it replaces the old one."""
    update = pool.settings.get("UserAttributeUpdateSettings") or {}
    listed = name in (update.get("AttributesRequireVerificationBeforeUpdate") or [])
    return listed and auto_verifies_email(pool)


@operation("UpdateUserAttributes")
def update_user_attributes(ctx: Context, p: Params) -> Result:
    given = attributes.to_dict(p.get("UserAttributes"))
    if set(given) & set(attributes.VERIFIED_FLAGS):
        raise errors.NotAuthorizedException(messages.UNAUTHORIZED_ATTRIBUTE_WRITE)
    outbox: list[Message] = []
    details: list[dict[str, Any]] = []
    with ctx.tx() as conn:
        identity = authenticate_access_token(ctx, conn, p["AccessToken"])
        pool, user = identity.pool, identity.user
        changes = attributes.validate(pool, given, creating=False)
        new_email = changes.get("email")
        is_new = bool(new_email) and new_email != user.attributes.get("email")
        pending = None
        if is_new and new_email and _deferred(pool, "email"):
            pending = changes.pop("email")  # the old address stays until this one is verified
        updated = attributes.apply_changes(user.attributes, changes)
        attributes.check_required(pool, updated, only=set(changes))
        attributes.enforce_uniqueness(
            conn, pool, updated, set(changes), user_id=user.id, force_alias=False, now=ctx.now
        )
        if "email" in changes:  # changed (or deleted) directly: an older pending address is moot
            verify_codes.clear_pending(conn, user.id, verify_codes.EMAIL)
        to = pending or (new_email if is_new and auto_verifies_email(pool) else None)
        if to:
            code = verify_codes.issue_code(
                ctx, conn, user.id, verify_codes.EMAIL, destination=to, pending_value=pending
            )
            outbox.append(verification_message(pool, to, code))
            details.append(email_delivery(to))
        user.attributes = updated
        save_user(conn, user, ctx.now)
    log.info("user %s updated attributes %s", user.sub, sorted(given))
    return deliver(ctx, Outcome({"CodeDeliveryDetailsList": details}, outbox))


def _require_email(name: str) -> None:
    if name != "email":
        raise errors.InvalidParameterException(messages.ONLY_EMAIL_VERIFIABLE)


@operation("GetUserAttributeVerificationCode")
def get_user_attribute_verification_code(ctx: Context, p: Params) -> Result:
    _require_email(str(p["AttributeName"]))
    with ctx.tx() as conn:
        identity = authenticate_access_token(ctx, conn, p["AccessToken"])
        user = identity.user
        pending = verify_codes.pending_value(conn, user.id, verify_codes.EMAIL)
        to = pending or user.attributes.get("email")
        if not to:
            raise errors.InvalidParameterException(messages.NO_EMAIL_TO_VERIFY)
        code = verify_codes.issue_code(
            ctx, conn, user.id, verify_codes.EMAIL, destination=to, pending_value=pending
        )
    message = verification_message(identity.pool, to, code)
    return deliver(ctx, Outcome({"CodeDeliveryDetails": email_delivery(to)}, [message]))


@operation("VerifyUserAttribute")
def verify_user_attribute(ctx: Context, p: Params) -> Result:
    """Spend the code; the address it went to becomes the verified email (a pending one moves in)."""
    _require_email(str(p["AttributeName"]))
    with ctx.tx() as conn:
        identity = authenticate_access_token(ctx, conn, p["AccessToken"])
        pool, user = identity.pool, identity.user
        checked = verify_codes.check_code(ctx, conn, user.id, verify_codes.EMAIL, str(p["Code"]))
        if checked.verdict is verify_codes.Verdict.WRONG:
            log.info("verify-user-attribute for user %s: wrong code", user.sub)
            raise CommitThenRaise(errors.CodeMismatchException(messages.CONFIRMATION_CODE_MISMATCH))
        value = checked.pending_value or checked.destination
        stale = checked.pending_value is None and value != user.attributes.get("email")
        if checked.verdict is verify_codes.Verdict.EXPIRED or stale:
            # a code for an address the user has since replaced proves nothing about the new one
            raise CommitThenRaise(errors.ExpiredCodeException(messages.CONFIRMATION_CODE_EXPIRED))
        user.attributes["email"] = value
        user.attributes["email_verified"] = "true"
        attributes.enforce_uniqueness(
            conn,
            pool,
            user.attributes,
            {"email", "email_verified"},
            user_id=user.id,
            force_alias=False,
            now=ctx.now,
        )
        save_user(conn, user, ctx.now)
    log.info("user %s verified their email", user.sub)
    return {}


@operation("DeleteUser")
def delete_user(ctx: Context, p: Params) -> Result:
    """The user deletes their own profile; codes, tokens and factors go with it (cascade)."""
    with ctx.tx() as conn:
        user = authenticate_access_token(ctx, conn, p["AccessToken"]).user
        conn.execute("DELETE FROM users WHERE id = ?", (user.id,))
    log.info("user %s deleted their profile", user.sub)
    return {}
