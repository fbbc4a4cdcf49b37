"""SetUserMFAPreference and AdminSetUserMFAPreference: the MFA factors a user activated and prefers.

Semantics (spec §3.2): an omitted block, or an omitted ``Enabled``/``PreferredMfa`` inside one,
leaves that setting unchanged (Amplify's ENABLED sends only ``{Enabled: true}``); ``Enabled: false``
also drops the preference for that factor; only one factor may be preferred. Disabling TOTP keeps
its secret, so re-enabling needs no verification — Cognito's behaviour; ``AdminDeleteSoftwareToken``
is the reset.

In a required (ON) pool users "can't enable or disable any MFA methods. You can only set a preferred
method." Whether Cognito rejects or ignores a disable request there is UNCONFIRMED; we reject
``Enabled: false`` with InvalidParameterException so a support "toggle" never silently does nothing.
``Enabled: true`` stays accepted when the factor is usable (in ON pools it already is, implicitly),
so the usual ``{Enabled: true, PreferredMfa: true}`` payload sets the preference.

SMS: the embedded pool never delivers SMS. ``SMS_MFA`` can be recorded for a user with a
``phone_number`` so the API round-trips, but the challenge decision never uses it.
"""

from __future__ import annotations

from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import totp
from mfa_portal.pool.access import authenticate_access_token
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import Pool, load_pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.pool.users import User, get_user, save_user
from mfa_portal.storage import Connection

BLOCKS = {
    "SoftwareTokenMfaSettings": "SOFTWARE_TOKEN_MFA",
    "EmailMfaSettings": "EMAIL_OTP",
    "SMSMfaSettings": "SMS_MFA",
}


@operation("SetUserMFAPreference")
def set_user_mfa_preference(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        who = authenticate_access_token(ctx, conn, p["AccessToken"])
        apply_preferences(ctx, conn, who.pool, who.user, p)
    return {}


@operation("AdminSetUserMFAPreference")
def admin_set_user_mfa_preference(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        user = get_user(conn, pool, p["Username"])
        apply_preferences(ctx, conn, pool, user, p)
    return {}


def apply_preferences(ctx: Context, conn: Connection, pool: Pool, user: User, p: Params) -> None:
    """Validate every block first, then apply them all (one transaction: all or nothing)."""
    webauthn = p.get("WebAuthnMfaSettings") or {}
    if webauthn.get("Enabled") is True:
        raise errors.InvalidParameterException(messages.NO_WEBAUTHN)
    requested = [(f, p[block]) for block, f in BLOCKS.items() if p.get(block) is not None]
    if sum(1 for _, s in requested if s.get("PreferredMfa") is True) > 1:
        raise errors.InvalidParameterException(messages.ONE_PREFERRED)
    for factor, settings in requested:
        _check(conn, pool, user, factor, settings)
    for factor, settings in requested:
        _apply(user, factor, settings)
    save_user(conn, user, ctx.now)


def _check(conn: Connection, pool: Pool, user: User, factor: str, settings: dict[str, Any]) -> None:
    enable, prefer = settings.get("Enabled"), settings.get("PreferredMfa")
    if enable is False and pool.mfa_configuration == "ON":
        raise errors.InvalidParameterException(messages.REQUIRED_POOL_PREFERENCE)
    if prefer is True and not (enable if enable is not None else factor in user.mfa_enabled):
        raise errors.InvalidParameterException(messages.preferred_disabled(factor))
    if enable is True and not _deliverable(conn, pool, user, factor):
        raise errors.InvalidParameterException(messages.no_delivery_config(factor))


def _deliverable(conn: Connection, pool: Pool, user: User, factor: str) -> bool:
    """Whether the user has what ``factor`` needs (spec §2.4, §15 pitfall 2)."""
    if factor == totp.NAME:
        # A verified token, no re-association pending, and TOTP on in the pool.
        if not pool.totp_enabled or pool.mfa_configuration == "OFF":
            return False
        association = totp.association(conn, user.id)
        return association.verified and not association.pending
    if factor == "EMAIL_OTP":
        return bool(user.attributes.get("email"))
    return bool(user.attributes.get("phone_number"))


def _apply(user: User, factor: str, settings: dict[str, Any]) -> None:
    enable, prefer = settings.get("Enabled"), settings.get("PreferredMfa")
    if enable is True and factor not in user.mfa_enabled:
        user.mfa_enabled.append(factor)
    if enable is False:
        user.mfa_enabled = [f for f in user.mfa_enabled if f != factor]
    if prefer is True:
        user.preferred_mfa = factor
    elif (prefer is False or enable is False) and user.preferred_mfa == factor:
        user.preferred_mfa = None
