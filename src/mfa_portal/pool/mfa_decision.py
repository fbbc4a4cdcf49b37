"""Which step follows a successful first factor: the one place the MFA decision is made (spec §4.4).

``next_step`` is pure: every auth entry point (InitiateAuth, AdminInitiateAuth and both
RespondToAuthChallenge operations) builds the two snapshots below and calls it; nothing else decides
which challenge comes next.

The embedded pool cannot deliver SMS, so ``SMS_MFA`` is never a usable factor here, whatever the pool's
SmsMfaConfiguration or the user's preference says. Email MFA is set up out of band (an ``email``
attribute), so ``MFAS_CAN_SETUP`` only ever offers ``SOFTWARE_TOKEN_MFA``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool.auth_sessions import SessionStage


class PoolMode(StrEnum):
    OFF = "OFF"
    OPTIONAL = "OPTIONAL"
    ON = "ON"


class Factor(StrEnum):
    SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
    EMAIL_OTP = "EMAIL_OTP"
    SMS_MFA = "SMS_MFA"


class ChallengeName(StrEnum):
    SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
    EMAIL_OTP = "EMAIL_OTP"
    SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
    MFA_SETUP = "MFA_SETUP"
    # Issued by the password step, never by next_step.
    NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"


@dataclass(frozen=True)
class PoolMfa:
    mode: PoolMode
    totp_enabled: bool  # SoftwareTokenMfaConfiguration.Enabled: may users *set up* TOTP
    email_enabled: bool  # EmailMfaConfiguration present (and the pool not OFF)


@dataclass(frozen=True)
class UserMfa:
    activated: frozenset[Factor]  # UserMFASettingList
    preferred: Factor | None  # PreferredMfaSetting
    has_totp: bool  # a verified software token is registered
    totp_pending: bool  # a newer AssociateSoftwareToken awaits verification
    has_email: bool  # an ``email`` attribute to send codes to
    email_is_recovery: bool  # email is this user's only account-recovery channel


@dataclass(frozen=True)
class Challenge:
    name: ChallengeName
    options: tuple[Factor, ...] = ()  # MFAS_CAN_CHOOSE / MFAS_CAN_SETUP, in canonical order


@dataclass(frozen=True)
class IssueTokens:
    """The sign-in is complete."""


Step = Challenge | IssueTokens

_ORDER = (Factor.SOFTWARE_TOKEN_MFA, Factor.EMAIL_OTP)
_CHALLENGE_OF = {
    Factor.SOFTWARE_TOKEN_MFA: ChallengeName.SOFTWARE_TOKEN_MFA,
    Factor.EMAIL_OTP: ChallengeName.EMAIL_OTP,
}


def challenge_for(factor: Factor) -> Challenge:
    """The code challenge of one factor (also used to honour a SELECT_MFA_TYPE answer)."""
    return Challenge(_CHALLENGE_OF[factor])


def next_step(pool: PoolMfa, user: UserMfa, stage: SessionStage) -> Step:
    """Tokens, or the challenge the user must answer next; MFAMethodNotFoundException if none can be."""
    if stage is SessionStage.SETUP_VERIFIED or pool.mode is PoolMode.OFF:
        # The API reference: answering MFA_SETUP with the VerifySoftwareToken session completes sign-in.
        return IssueTokens()
    if pool.mode is PoolMode.OPTIONAL:
        return _optional(pool, user)
    return _required(pool, user)


def _optional(pool: PoolMfa, user: UserMfa) -> Step:
    """OPTIONAL: only factors the user activated count; setup is never prompted."""
    usable = set()
    if Factor.SOFTWARE_TOKEN_MFA in user.activated and user.has_totp:
        # Safer than Cognito (docs/compatibility.md): a pending re-association does not switch the
        # verified token off (§3.3), so an abandoned replacement never leaves only the password.
        usable.add(Factor.SOFTWARE_TOKEN_MFA)
    if Factor.EMAIL_OTP in user.activated and pool.email_enabled and user.has_email:
        usable.add(Factor.EMAIL_OTP)
    if not usable:
        return IssueTokens()
    return _choose(usable, user.preferred)


def _required(pool: PoolMfa, user: UserMfa) -> Step:
    """ON: factors count from their prerequisites (implicit use), activation is irrelevant."""
    usable = set()
    if user.has_totp:
        # Kept even if the pool later disabled TOTP (§2.1), and - safer than Cognito, which answers
        # MFA_SETUP while a new association is unverified (§3.3) - kept while one is pending, so a
        # password alone can never bind a new authenticator (docs/compatibility.md).
        usable.add(Factor.SOFTWARE_TOKEN_MFA)
    if pool.email_enabled and user.has_email and (not user.email_is_recovery or _chose_email(user)):
        usable.add(Factor.EMAIL_OTP)
    if usable:
        return _choose(usable, user.preferred)
    if pool.totp_enabled:
        return Challenge(ChallengeName.MFA_SETUP, (Factor.SOFTWARE_TOKEN_MFA,))
    raise errors.MFAMethodNotFoundException(messages.NO_MFA_METHOD)


def _chose_email(user: UserMfa) -> bool:
    """A user who activated or prefers email MFA gives up email recovery instead (spec §8.1:
    "Users whose preferred MFA is by email message can't receive a password-reset code by email")."""
    return Factor.EMAIL_OTP in user.activated or user.preferred is Factor.EMAIL_OTP


def _choose(usable: set[Factor], preferred: Factor | None) -> Challenge:
    if preferred in usable:
        return challenge_for(preferred)
    if len(usable) == 1:
        return challenge_for(next(iter(usable)))
    return Challenge(ChallengeName.SELECT_MFA_TYPE, tuple(f for f in _ORDER if f in usable))


# --- building the snapshots from stored records (pure: the caller reads the rows) -------------------


def pool_mfa_of(mfa: dict[str, Any]) -> PoolMfa:
    """From the stored SetUserPoolMfaConfig document (``Pool.mfa``)."""
    mode = PoolMode(str(mfa.get("MfaConfiguration", "OFF")))
    return PoolMfa(
        mode=mode,
        totp_enabled=bool(mfa.get("SoftwareTokenMfaConfiguration", {}).get("Enabled", False)),
        email_enabled="EmailMfaConfiguration" in mfa and mode is not PoolMode.OFF,
    )


def user_mfa_of(
    *,
    mfa_enabled: list[str],
    preferred: str | None,
    attributes: dict[str, str],
    recovery: dict[str, Any] | None,
    has_totp: bool,
    totp_pending: bool,
) -> UserMfa:
    """Snapshot of one user; ``recovery`` is the pool's AccountRecoverySetting (None when unset)."""
    known = {f.value for f in Factor}
    return UserMfa(
        activated=frozenset(Factor(f) for f in mfa_enabled if f in known),
        preferred=Factor(preferred) if preferred in known else None,
        has_totp=has_totp,
        totp_pending=totp_pending,
        has_email=bool(attributes.get("email")),
        email_is_recovery=recovery_channels(attributes, recovery) == ["verified_email"],
    )


def recovery_channels(attributes: dict[str, str], recovery: dict[str, Any] | None) -> list[str]:
    """The recovery mechanisms this user qualifies for, in priority order (spec §8.1).

    Unset means the legacy order: verified phone first, then verified email. Email MFA is refused
    only when email is the user's *only* way to recover the account ("users can't set up email MFA
    when your recovery option is Email only"; with both, reset codes go to the other channel).
    """
    if recovery is None:
        names = ["verified_phone_number", "verified_email"]
    else:
        mechanisms = sorted(
            recovery.get("RecoveryMechanisms", []), key=lambda m: m.get("Priority", 9)
        )
        names = [str(m.get("Name")) for m in mechanisms]
    verified = {
        "verified_email": bool(attributes.get("email"))
        and attributes.get("email_verified") == "true",
        "verified_phone_number": bool(attributes.get("phone_number"))
        and attributes.get("phone_number_verified") == "true",
    }
    return [name for name in names if verified.get(name, False)]
