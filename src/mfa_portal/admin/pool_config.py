"""The pool's settings as support sees them, and its MFA configuration change (audited).

``SetUserPoolMfaConfig`` must receive every factor block each time (spec §15 pitfall 7), so the
change reads the current configuration and sends it back with only the requested switches changed.

Switching email MFA on needs two pool settings Cognito checks first: mail sent through the pool's
own identity (``EmailConfiguration.EmailSendingAccount: DEVELOPER``) and an account recovery that
is not ``verified_email`` alone. The default pool has neither, so the change sets both, through an
``UpdateUserPool`` that sends back every current setting (omitted ones would return to defaults),
and says so in its notes.
"""

from __future__ import annotations

from typing import Any, Literal

from mfa_portal.admin.support import ActionFailed, ActionResult, Actor, Support, audited
from mfa_portal.cognito_api.client import CognitoError

PoolMode = Literal["off", "optional", "on"]
DEFAULT_EMAIL_MFA = {"Subject": "Your sign-in code", "Message": "Your sign-in code is {####}"}
# What UpdateUserPool accepts; each one it is not sent returns to its default.
UPDATABLE = (
    "Policies",
    "DeletionProtection",
    "LambdaConfig",
    "AutoVerifiedAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "MfaConfiguration",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "UserPoolTags",
    "AdminCreateUserConfig",
    "UserPoolAddOns",
    "AccountRecoverySetting",
    "UserPoolTier",
)
EMAIL_AND_PHONE_RECOVERY = [
    {"Priority": 1, "Name": "verified_email"},
    {"Priority": 2, "Name": "verified_phone_number"},
]
SES_HINT = (
    " Amazon Cognito sends MFA email only through your own SES identity: "
    "add --ses-identity arn:aws:ses:<region>:<account>:identity/<domain>."
)


def describe_pool(support: Support) -> dict[str, Any]:
    """The facts support needs: id, name, MFA mode and factors, user count estimate, recovery."""
    pool = support.client.call("DescribeUserPool", UserPoolId=support.pool_id)["UserPool"]
    mfa = support.client.call("GetUserPoolMfaConfig", UserPoolId=support.pool_id)
    recovery = pool.get("AccountRecoverySetting", {}).get("RecoveryMechanisms", [])
    return {
        "id": pool.get("Id", support.pool_id),
        "name": pool.get("Name", ""),
        "mfa": str(mfa.get("MfaConfiguration", pool.get("MfaConfiguration", "OFF"))),
        "totp": bool(mfa.get("SoftwareTokenMfaConfiguration", {}).get("Enabled", False)),
        "email_mfa": "EmailMfaConfiguration" in mfa,
        "sms_mfa": "SmsMfaConfiguration" in mfa,
        "estimated_users": pool.get("EstimatedNumberOfUsers"),
        "account_recovery": [m.get("Name") for m in recovery],
        "deletion_protection": pool.get("DeletionProtection", "INACTIVE"),
    }


def set_pool_mfa(
    support: Support,
    actor: Actor,
    mode: PoolMode,
    reason: str,
    *,
    totp: bool | None = None,
    email: bool | None = None,
    ses_identity: str | None = None,
) -> ActionResult:
    """Set the pool's MFA mode and switch TOTP / email MFA on or off; ``None`` keeps a factor.

    ``email=True`` also prepares the pool for email MFA (see the module doc); ``ses_identity`` is
    the SES identity ARN Amazon Cognito sends from (the embedded pool sends through the portal's
    mail settings and needs none)."""
    if mode not in ("off", "optional", "on"):
        raise ValueError(f"unknown MFA mode {mode}")
    action = "pool mfa-config"
    with audited(support, actor, action, support.pool_id, reason, f"mode {mode}") as step:
        notes: list[str] = []
        if email and mode != "off":
            notes = _prepare_for_email_mfa(support, action, ses_identity)
        params: dict[str, Any] = {"UserPoolId": support.pool_id, "MfaConfiguration": mode.upper()}
        if mode == "off":
            if totp or email:
                raise ActionFailed(
                    action,
                    support.pool_id,
                    "InvalidParameterException",
                    "MFA cannot be off while a factor is switched on.",
                )
        else:
            current = support.client.call("GetUserPoolMfaConfig", UserPoolId=support.pool_id)
            totp_on = current.get("SoftwareTokenMfaConfiguration", {}).get("Enabled", False)
            params["SoftwareTokenMfaConfiguration"] = {"Enabled": totp_on if totp is None else totp}
            email_block = current.get("EmailMfaConfiguration")
            if email is True:
                params["EmailMfaConfiguration"] = email_block or dict(DEFAULT_EMAIL_MFA)
            elif email is None and email_block:
                params["EmailMfaConfiguration"] = email_block
            if current.get("SmsMfaConfiguration"):
                params["SmsMfaConfiguration"] = current["SmsMfaConfiguration"]
        support.client.call("SetUserPoolMfaConfig", **params)
        totp_text = (
            ""
            if mode == "off"
            else f", totp {_onoff(params['SoftwareTokenMfaConfiguration']['Enabled'])}"
        )
        email_text = "" if mode == "off" else f", email {_onoff('EmailMfaConfiguration' in params)}"
        step.done(f"pool MFA {mode.upper()}{totp_text}{email_text}", notes)
    assert step.result is not None
    return step.result


def _prepare_for_email_mfa(support: Support, action: str, ses_identity: str | None) -> list[str]:
    """Make the pool's sender and recovery settings allow email MFA; a note per change made."""
    pool = support.client.call("DescribeUserPool", UserPoolId=support.pool_id)["UserPool"]
    if pool.get("UserPoolTier") == "LITE":  # refused by SetUserPoolMfaConfig: change nothing first
        raise ActionFailed(
            action,
            support.pool_id,
            "FeatureUnavailableInTierException",
            "Email MFA requires the ESSENTIALS or PLUS feature plan; this pool is on LITE.",
        )
    update = {key: pool[key] for key in UPDATABLE if key in pool}
    notes = []
    sending = dict(pool.get("EmailConfiguration") or {})
    if sending.get("EmailSendingAccount") != "DEVELOPER" or (
        ses_identity and sending.get("SourceArn") != ses_identity
    ):
        sending["EmailSendingAccount"] = "DEVELOPER"
        if ses_identity:
            sending["SourceArn"] = ses_identity
        update["EmailConfiguration"] = sending
        notes.append(
            "pool email now sent as DEVELOPER"
            + (f" through {ses_identity}" if ses_identity else " (the portal's mail settings)")
            + ", as email MFA requires"
        )
    recovery = (pool.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms") or []
    if [m.get("Name") for m in recovery] == ["verified_email"]:
        update["AccountRecoverySetting"] = {"RecoveryMechanisms": EMAIL_AND_PHONE_RECOVERY}
        notes.append(
            "account recovery now verified_email, then verified_phone_number: email MFA does not "
            "allow verified_email alone; a user whose MFA is email and who has no verified phone "
            "gets a password reset from support (users reset-password --temporary)"
        )
    if not notes:
        return notes
    try:
        support.client.call("UpdateUserPool", UserPoolId=support.pool_id, **update)
    except CognitoError as exc:
        hint = SES_HINT if not ses_identity and "EmailConfiguration" in update else ""
        raise ActionFailed(action, support.pool_id, exc.code, exc.message + hint) from None
    return notes


def _onoff(value: object) -> str:
    return "on" if value else "off"
