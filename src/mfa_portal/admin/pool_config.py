"""The pool's settings as support sees them, and its MFA configuration change (audited).

``SetUserPoolMfaConfig`` must receive every factor block each time (spec §15 pitfall 7), so the
change reads the current configuration and sends it back with only the requested switches changed.
"""

from __future__ import annotations

from typing import Any, Literal

from mfa_portal.admin.support import ActionFailed, ActionResult, Actor, Support, audited

PoolMode = Literal["off", "optional", "on"]
DEFAULT_EMAIL_MFA = {"Subject": "Your sign-in code", "Message": "Your sign-in code is {####}"}


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
) -> ActionResult:
    """Set the pool's MFA mode and switch TOTP / email MFA on or off; ``None`` keeps a factor."""
    if mode not in ("off", "optional", "on"):
        raise ValueError(f"unknown MFA mode {mode}")
    action = "pool mfa-config"
    with audited(support, actor, action, support.pool_id, reason, f"mode {mode}") as step:
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
        step.done(f"pool MFA {mode.upper()}{totp_text}{email_text}")
    assert step.result is not None
    return step.result


def _onoff(value: object) -> str:
    return "on" if value else "off"
