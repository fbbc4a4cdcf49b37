"""Support actions on users, shared by the admin console and the CLI: one function per action.

Each takes the ``Support`` capabilities, the acting ``Actor``, the target and a reason, speaks only
the Cognito API, writes one audit entry (also on failure) and returns an ``ActionResult`` or raises
``ActionFailed``. Users are notified by email of every change to their factors.
"""

from __future__ import annotations

from typing import Any, Literal

from mfa_portal.admin.support import ActionFailed, ActionResult, Actor, Support, attributes, audited
from mfa_portal.cognito_api.client import CognitoError
from mfa_portal.cognito_api.passwords import temporary_password
from mfa_portal.security_events import emit

Method = Literal["totp", "email", "sms"]
MfaSetting = Literal["preferred", "enabled", "disabled"]
_SETTINGS_BLOCK = {
    "totp": "SoftwareTokenMfaSettings",
    "email": "EmailMfaSettings",
    "sms": "SMSMfaSettings",
}
# What an endpoint whose botocore model has the operation but whose server lacks it answers
# (moto's server: a bare HTTP 500 page; an emulator: UnsupportedOperationException).
_NOT_IMPLEMENTED = frozenset(
    {"UnsupportedOperationException", "UnknownOperationException", "NotImplemented", "500", "501"}
)
PROOF_NOTE = (
    "the new authenticator can be set up only with a code sent to the verified email address"
)
NO_PROOF_NOTE = (
    "the user has no verified email address, so no set-up code can be sent: set one with "
    "set-attr --verified before they can enrol again"
)
NO_AUTHENTICATOR_NOTE = "the user had no authenticator registered"
NOT_NOTIFIED_NOTE = "no email sent: there was no authenticator to remove"
NOTHING_REMOVED = "nothing to remove (no authenticator registered); all sessions signed out"
FALLBACK_NOTE = (
    "this backend has no AdminDeleteSoftwareToken: the TOTP preference was disabled instead; "
    "the old secret stays registered until the user enrols a new authenticator"
)


def logged(actor: Actor, result: ActionResult | None) -> ActionResult:
    """The done action as a security event (``support.reset-mfa``, ...); its secret never."""
    assert result is not None
    emit(f"support.{result.action}", user=result.target, actor=actor.name, ip=actor.source,
         outcome="success")  # fmt: skip
    return result


def _lookup(support: Support, username: str) -> dict[str, Any]:
    return support.client.call("AdminGetUser", UserPoolId=support.pool_id, Username=username)


def _notify_email(user: dict[str, Any]) -> str | None:
    return attributes(user).get("email") or None


def _user_language(user: dict[str, Any]) -> str | None:
    """The language of a notice support's action sends: the user's own ``locale`` attribute (the
    support person's browser says nothing about the user's language)."""
    return attributes(user).get("locale") or None


def end_portal_sessions(support: Support, sub: str | None) -> None:
    """Mark the user's portal sessions as over in the shared store, so every portal instance (and
    forward-auth) refuses them on its next request instead of at its next Cognito re-check."""
    if support.revocations is not None and sub:
        support.revocations.revoke(support.pool_id, sub)


def remove_authenticator(support: Support, username: str, sub: str | None = None) -> list[str]:
    """Delete the TOTP registration and end every session; the fallback is said in the notes.

    Shared by the admin reset and the self-service recovery-code reset; ``sub`` names the user
    whose portal sessions end (see ``end_portal_sessions``).
    """
    notes: list[str] = []
    pool, name = support.pool_id, username
    deleted = False
    if support.client.supports("AdminDeleteSoftwareToken"):
        try:
            support.client.call("AdminDeleteSoftwareToken", UserPoolId=pool, Username=name)
            deleted = True
        except CognitoError as exc:
            if exc.code == "ResourceNotFoundException":
                notes.append(NO_AUTHENTICATOR_NOTE)
                deleted = True
            elif exc.code not in _NOT_IMPLEMENTED:
                raise
    if not deleted:
        support.client.call(
            "AdminSetUserMFAPreference",
            UserPoolId=pool,
            Username=name,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
        )
        notes.append(FALLBACK_NOTE)
    support.client.call("AdminUserGlobalSignOut", UserPoolId=pool, Username=name)
    end_portal_sessions(support, sub)
    return notes


def reset_mfa(support: Support, actor: Actor, username: str, reason: str) -> ActionResult:
    """The lost-phone reset: the next sign-in is forced to enrol; old codes never work again."""
    with audited(support, actor, "reset-mfa", username, reason) as step:
        user = _lookup(support, username)
        step.target = user["Username"]
        notes = remove_authenticator(support, step.target, attributes(user).get("sub"))
        notes.extend(_enrolment_proof_notes(support, user))
        if NO_AUTHENTICATOR_NOTE in notes:
            # "Your authenticator was removed" would alarm a user who never had one (or report a
            # change that did not happen): say so to support instead.
            step.done(NOTHING_REMOVED, [*notes, NOT_NOTIFIED_NOTE])
        else:
            email = _notify_email(user)
            if support.notifier and email:
                if not support.notifier.mfa_reset(
                    email, step.target, language=_user_language(user)
                ):
                    notes.append("the notification email could not be sent")
            step.done("authenticator removed and all sessions signed out", notes)
    return logged(actor, step.result)


def _enrolment_proof_notes(support: Support, user: dict[str, Any]) -> list[str]:
    """What support must tell the user about the next enrolment (docs/security.md)."""
    if support.enrolment_proof != "email":
        return []
    attrs = attributes(user)
    if attrs.get("email") and attrs.get("email_verified") == "true":
        return [PROOF_NOTE]
    return [NO_PROOF_NOTE]


def set_mfa(
    support: Support, actor: Actor, username: str, method: Method, setting: MfaSetting, reason: str
) -> ActionResult:
    """Enable, prefer or disable one factor (e.g. switch a user to email codes)."""
    if method not in _SETTINGS_BLOCK or setting not in ("preferred", "enabled", "disabled"):
        raise ValueError(f"unknown MFA method or setting: {method} {setting}")
    with audited(support, actor, "set-mfa", username, reason, f"{method} {setting}") as step:
        user = _lookup(support, username)
        step.target = user["Username"]
        block = {"Enabled": setting != "disabled", "PreferredMfa": setting == "preferred"}
        support.client.call(
            "AdminSetUserMFAPreference",
            UserPoolId=support.pool_id,
            Username=step.target,
            **{_SETTINGS_BLOCK[method]: block},
        )
        notes: list[str] = []
        if method == "totp" and setting == "disabled":
            notes.append("disabling keeps the old authenticator; use reset-mfa to remove it")
        email = _notify_email(user)
        if support.notifier and email:
            if not support.notifier.mfa_changed(
                email, step.target, f"{method} {setting}", language=_user_language(user)
            ):
                notes.append("the notification email could not be sent")
        step.done(f"{method} MFA {setting}", notes)
    return logged(actor, step.result)


def set_attributes(
    support: Support,
    actor: Actor,
    username: str,
    values: dict[str, str],
    reason: str,
    *,
    verified: bool = False,
) -> ActionResult:
    """Set attributes; ``verified`` marks a new email / phone as verified (support checked it)."""
    names = ", ".join(sorted(values))
    with audited(support, actor, "set-attr", username, reason, names) as step:
        if not values:
            raise ActionFailed(
                step.action, username, "InvalidParameterException", "No attributes given."
            )
        updates = dict(values)
        if verified:
            if "email" in values:
                updates["email_verified"] = "true"
            if "phone_number" in values:
                updates["phone_number_verified"] = "true"
        support.client.call(
            "AdminUpdateUserAttributes",
            UserPoolId=support.pool_id,
            Username=username,
            UserAttributes=[{"Name": k, "Value": v} for k, v in updates.items()],
        )
        step.done(f"attributes updated: {', '.join(sorted(updates))}")
    return logged(actor, step.result)


def create_user(
    support: Support,
    actor: Actor,
    username: str,
    email: str,
    reason: str,
    *,
    deliver: Literal["show", "email"] = "show",
) -> ActionResult:
    """Create a user with a verified email; the temporary password is shown once or emailed."""
    with audited(support, actor, "create", username, reason) as step:
        password = temporary_password(length=20)
        params: dict[str, Any] = {
            "UserPoolId": support.pool_id,
            "Username": username,
            "TemporaryPassword": password,
            "UserAttributes": [
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
            ],
        }
        if deliver == "email":
            params["DesiredDeliveryMediums"] = ["EMAIL"]
        else:
            params["MessageAction"] = "SUPPRESS"
        try:
            created = support.client.call("AdminCreateUser", **params)
        except CognitoError as exc:
            if deliver == "email" and exc.code == "CodeDeliveryFailureException":
                # Cognito keeps the user when only the invitation failed: say so, or a retry
                # meets "User account already exists" with a password nobody was given.
                raise ActionFailed(
                    "create", username, exc.code, invitation_not_sent(username)
                ) from None
            raise
        step.target = created.get("User", {}).get("Username", username)
        if deliver == "email":
            step.done("user created; the temporary password was sent by email")
        else:
            step.done("user created; temporary password shown once", secret=password)
    return logged(actor, step.result)


def invitation_not_sent(username: str) -> str:
    """What to do about a user whose invitation email failed: the user exists, with a temporary
    password nobody has."""
    return (
        f"{username} was created, but the invitation email could not be sent. Set a temporary "
        "password to hand over yourself (the console's Reset password with a temporary password, "
        f"or `mfa-portal users reset-password {username} --temporary`), or delete the user and "
        "create it again once mail works"
    )


def reset_password(
    support: Support, actor: Actor, username: str, reason: str, *, temporary: bool = False
) -> ActionResult:
    """Send a reset code (``AdminResetUserPassword``) or set a temporary password shown once."""
    with audited(support, actor, "reset-password", username, reason) as step:
        if temporary:
            password = temporary_password(length=20)
            support.client.call(
                "AdminSetUserPassword",
                UserPoolId=support.pool_id,
                Username=username,
                Password=password,
                Permanent=False,
            )
            step.done("temporary password set; it must be changed at next sign-in", secret=password)
        else:
            user = _lookup(support, username)
            step.target = user["Username"]
            support.client.call(
                "AdminResetUserPassword", UserPoolId=support.pool_id, Username=step.target
            )
            notes: list[str] = []
            email = _notify_email(user)
            if support.notifier and email:
                if not support.notifier.password_reset(
                    email, step.target, language=_user_language(user)
                ):
                    notes.append("the notification email could not be sent")
            step.done("password reset; a reset code was sent to the user", notes)
    return logged(actor, step.result)


def _simple(
    support: Support,
    actor: Actor,
    action: str,
    operation: str,
    username: str,
    reason: str,
    done: str,
    *,
    ends_sessions: bool = False,
) -> ActionResult:
    with audited(support, actor, action, username, reason) as step:
        sub = attributes(_lookup(support, username)).get("sub") if ends_sessions else None
        support.client.call(operation, UserPoolId=support.pool_id, Username=username)
        end_portal_sessions(support, sub)
        step.done(done)
    return logged(actor, step.result)


def disable_user(support: Support, actor: Actor, username: str, reason: str) -> ActionResult:
    return _simple(
        support,
        actor,
        "disable",
        "AdminDisableUser",
        username,
        reason,
        "user disabled",
        ends_sessions=True,
    )


def enable_user(support: Support, actor: Actor, username: str, reason: str) -> ActionResult:
    return _simple(support, actor, "enable", "AdminEnableUser", username, reason, "user enabled")


def sign_out(support: Support, actor: Actor, username: str, reason: str) -> ActionResult:
    return _simple(
        support,
        actor,
        "signout",
        "AdminUserGlobalSignOut",
        username,
        reason,
        "signed out everywhere",
        ends_sessions=True,
    )


def delete_user(
    support: Support, actor: Actor, username: str, reason: str, *, confirm: str
) -> ActionResult:
    """Delete a user; ``confirm`` must repeat the username exactly. Their recovery codes go too."""
    with audited(support, actor, "delete", username, reason) as step:
        if confirm != username:
            raise ActionFailed(
                step.action,
                username,
                "ConfirmationMismatch",
                "Type the username to confirm deletion.",
            )
        user = _lookup(support, username)
        step.target = user["Username"]
        support.client.call("AdminDeleteUser", UserPoolId=support.pool_id, Username=step.target)
        notes: list[str] = []
        sub = attributes(user).get("sub")
        end_portal_sessions(support, sub)
        if support.recovery and sub:
            if support.recovery.void(support.pool_id, sub):
                notes.append("recovery codes deleted")
        step.done("user deleted", notes)
    return logged(actor, step.result)
