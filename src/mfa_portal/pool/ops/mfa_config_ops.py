"""SetUserPoolMfaConfig and GetUserPoolMfaConfig: the pool's MFA level and factors (spec §2).

A SetUserPoolMfaConfig request describes the whole configuration: a factor block it omits is
switched off (email MFA has no ``Enabled`` flag, so absence is the only way to turn it off). An
omitted ``MfaConfiguration`` keeps the pool's current level. The result is stored in the pool's
``mfa`` JSON, which ``Pool.totp_enabled`` / ``email_mfa_enabled`` / ``sms_mfa_enabled`` read.
"""

from __future__ import annotations

import copy
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import pool_settings
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import Pool, load_pool, save_pool
from mfa_portal.pool.registry import Params, Result, operation

FACTOR_BLOCKS = ("SoftwareTokenMfaConfiguration", "EmailMfaConfiguration", "SmsMfaConfiguration")
OUTPUT_KEYS = ("MfaConfiguration", *FACTOR_BLOCKS, "WebAuthnConfiguration")


def mfa_config(pool: Pool) -> dict[str, Any]:
    """The pool's MFA configuration in GetUserPoolMfaConfig's shape (absent blocks omitted)."""
    out = {key: copy.deepcopy(pool.mfa[key]) for key in OUTPUT_KEYS if key in pool.mfa}
    out["MfaConfiguration"] = pool.mfa_configuration
    return out


def _sms_block(pool: Pool, given: dict[str, Any]) -> dict[str, Any]:
    block = copy.deepcopy(given)
    if "SmsConfiguration" not in block:
        if "SmsConfiguration" not in pool.settings:
            raise errors.InvalidParameterException(messages.SMS_MFA_NEEDS_CONFIGURATION)
        block["SmsConfiguration"] = copy.deepcopy(pool.settings["SmsConfiguration"])
    return block


def _new_mfa(pool: Pool, p: Params) -> dict[str, Any]:
    level = p.get("MfaConfiguration", pool.mfa_configuration)
    mfa: dict[str, Any] = {"MfaConfiguration": level}
    if "WebAuthnConfiguration" in p:
        mfa["WebAuthnConfiguration"] = copy.deepcopy(p["WebAuthnConfiguration"])
    if level == "OFF":
        if any(key in p for key in FACTOR_BLOCKS):
            raise errors.InvalidParameterException(messages.MFA_OFF_WITH_FACTOR)
        return mfa
    for key in ("SoftwareTokenMfaConfiguration", "EmailMfaConfiguration"):
        if key in p:
            mfa[key] = copy.deepcopy(p[key])
    if "SmsMfaConfiguration" in p:
        mfa["SmsMfaConfiguration"] = _sms_block(pool, p["SmsMfaConfiguration"])
    elif "SmsConfiguration" in pool.settings and "SmsMfaConfiguration" in pool.mfa:
        raise errors.InvalidParameterException(messages.SMS_MFA_STAYS)
    totp = bool(mfa.get("SoftwareTokenMfaConfiguration", {}).get("Enabled", False))
    if not (totp or "EmailMfaConfiguration" in mfa or "SmsMfaConfiguration" in mfa):
        raise errors.InvalidParameterException(messages.MFA_WITHOUT_FACTOR)
    return mfa


def _check_webauthn(pool: Pool, mfa: dict[str, Any]) -> None:
    factor = mfa.get("WebAuthnConfiguration", {}).get("FactorConfiguration")
    if (
        factor == "MULTI_FACTOR_WITH_USER_VERIFICATION"
        and pool.settings.get("UserPoolTier") == "LITE"
    ):
        raise errors.FeatureUnavailableInTierException(messages.PASSKEY_MFA_TIER)


@operation("SetUserPoolMfaConfig")
def set_user_pool_mfa_config(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        mfa = _new_mfa(pool, p)
        problem = pool_settings.mfa_problem(pool.settings, mfa)
        if problem is not None:
            raise problem
        _check_webauthn(pool, mfa)
        pool.mfa, pool.modified = mfa, ctx.now
        if "SmsMfaConfiguration" in mfa:
            sms = copy.deepcopy(mfa["SmsMfaConfiguration"]["SmsConfiguration"])
            pool.settings = {**pool.settings, "SmsConfiguration": sms}  # never in place: cached
        save_pool(conn, pool)
    return mfa_config(pool)


@operation("GetUserPoolMfaConfig")
def get_user_pool_mfa_config(ctx: Context, p: Params) -> Result:
    with ctx.read() as conn:
        return mfa_config(load_pool(conn, p["UserPoolId"]))
