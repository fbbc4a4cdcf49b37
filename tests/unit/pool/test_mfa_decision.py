"""The challenge decision (spec §4.4) as a table of rows taken from the spec."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool.auth_sessions import SessionStage
from mfa_portal.pool.mfa_decision import (
    Challenge,
    ChallengeName,
    Factor,
    IssueTokens,
    PoolMfa,
    PoolMode,
    UserMfa,
    next_step,
    pool_mfa_of,
    recovery_channels,
    user_mfa_of,
)
from tests.support.cognito_errors import raises_cognito

TOTP, EMAIL, SMS = Factor.SOFTWARE_TOKEN_MFA, Factor.EMAIL_OTP, Factor.SMS_MFA
OK, NEW_PW, SETUP_DONE = (
    SessionStage.PASSWORD_OK,
    SessionStage.NEW_PASSWORD_SET,
    SessionStage.SETUP_VERIFIED,
)


def pool(mode: str, *, totp: bool = True, email: bool = False) -> PoolMfa:
    return PoolMfa(PoolMode(mode), totp_enabled=totp, email_enabled=email)


def user(
    *activated: Factor,
    preferred: Factor | None = None,
    totp: bool = False,
    pending: bool = False,
    email: bool = False,
    recovery: bool = False,
) -> UserMfa:
    return UserMfa(
        frozenset(activated),
        preferred,
        has_totp=totp,
        totp_pending=pending,
        has_email=email,
        email_is_recovery=recovery,
    )


TOKENS = IssueTokens()
SOFTWARE = Challenge(ChallengeName.SOFTWARE_TOKEN_MFA)
EMAIL_CODE = Challenge(ChallengeName.EMAIL_OTP)
SELECT_BOTH = Challenge(ChallengeName.SELECT_MFA_TYPE, (TOTP, EMAIL))
SETUP_TOTP = Challenge(ChallengeName.MFA_SETUP, (TOTP,))
NO_METHOD = "MFAMethodNotFoundException"

# (spec reference, pool, user, stage, expected step or the name of the error raised)
TABLE: list[tuple[str, PoolMfa, UserMfa, SessionStage, Any]] = [
    (
        "§4.4 OFF → tokens, even with an activated TOTP",
        pool("OFF"),
        user(TOTP, preferred=TOTP, totp=True),
        OK,
        TOKENS,
    ),
    ("§4.4 OPTIONAL, no activated factor → tokens", pool("OPTIONAL"), user(), OK, TOKENS),
    (
        "§1.4 OPTIONAL never prompts setup, even with pool TOTP on",
        pool("OPTIONAL", totp=True, email=True),
        user(email=True),
        OK,
        TOKENS,
    ),
    (
        "§3.1/§4.4 OPTIONAL: verified but not activated TOTP does not count",
        pool("OPTIONAL"),
        user(totp=True),
        OK,
        TOKENS,
    ),
    (
        "§4.4 OPTIONAL, exactly one activated factor (TOTP)",
        pool("OPTIONAL"),
        user(TOTP, totp=True),
        OK,
        SOFTWARE,
    ),
    (
        "§4.4 OPTIONAL, exactly one activated factor (email)",
        pool("OPTIONAL", email=True),
        user(EMAIL, email=True),
        OK,
        EMAIL_CODE,
    ),
    (
        "§2.4 OPTIONAL: activated email in a pool without email MFA → not usable",
        pool("OPTIONAL", email=False),
        user(EMAIL, email=True),
        OK,
        TOKENS,
    ),
    (
        "§4.4 OPTIONAL, ≥2 activated, email preferred",
        pool("OPTIONAL", email=True),
        user(TOTP, EMAIL, preferred=EMAIL, totp=True, email=True),
        OK,
        EMAIL_CODE,
    ),
    (
        "§4.4 OPTIONAL, ≥2 activated, TOTP preferred",
        pool("OPTIONAL", email=True),
        user(TOTP, EMAIL, preferred=TOTP, totp=True, email=True),
        OK,
        SOFTWARE,
    ),
    (
        "§3.2 OPTIONAL, ≥2 activated, none preferred → SELECT_MFA_TYPE",
        pool("OPTIONAL", email=True),
        user(TOTP, EMAIL, totp=True, email=True),
        OK,
        SELECT_BOTH,
    ),
    (
        "§3.3 OPTIONAL, safer than Cognito: a pending Associate keeps the verified token challenged",
        pool("OPTIONAL"),
        user(TOTP, preferred=TOTP, totp=True, pending=True),
        OK,
        SOFTWARE,
    ),
    (
        "§3.3 OPTIONAL, safer than Cognito: pending TOTP keeps the preferred verified token",
        pool("OPTIONAL", email=True),
        user(TOTP, EMAIL, preferred=TOTP, totp=True, pending=True, email=True),
        OK,
        SOFTWARE,
    ),
    (
        "§3.3 OPTIONAL: AdminDeleteSoftwareToken left an activation without a token → tokens",
        pool("OPTIONAL"),
        user(TOTP, totp=False),
        OK,
        TOKENS,
    ),
    (
        "embedded pool: SMS_MFA is never usable (no SMS delivery)",
        pool("OPTIONAL"),
        user(SMS, preferred=SMS),
        OK,
        TOKENS,
    ),
    (
        "§4.4 ON step 1: preferred email, usable",
        pool("ON", email=True),
        user(preferred=EMAIL, totp=True, email=True),
        OK,
        EMAIL_CODE,
    ),
    (
        "§4.4 ON step 2: registered TOTP, nothing else → SOFTWARE_TOKEN_MFA (implicit, not activated)",
        pool("ON"),
        user(totp=True),
        OK,
        SOFTWARE,
    ),
    (
        "§4.4 ON step 2: TOTP plus non-recovery email, no preference → SELECT_MFA_TYPE",
        pool("ON", email=True),
        user(totp=True, email=True),
        OK,
        SELECT_BOTH,
    ),
    (
        "§4.4 ON step 2: email is the recovery channel → TOTP only",
        pool("ON", email=True),
        user(totp=True, email=True, recovery=True),
        OK,
        SOFTWARE,
    ),
    (
        "§3.1 ON: a preference for an unusable factor (SMS) is ignored",
        pool("ON"),
        user(SMS, preferred=SMS, totp=True),
        OK,
        SOFTWARE,
    ),
    (
        "§2.1 ON: TOTP later disabled in the pool, a verified token keeps working",
        pool("ON", totp=False, email=True),
        user(totp=True),
        OK,
        SOFTWARE,
    ),
    (
        "§3.3 ON, safer than Cognito: a pending Associate keeps the verified token challenged",
        pool("ON"),
        user(TOTP, preferred=TOTP, totp=True, pending=True),
        OK,
        SOFTWARE,
    ),
    (
        "§3.3 ON: a pending Associate beside a verified token leaves the preferred email factor",
        pool("ON", email=True),
        user(preferred=EMAIL, totp=True, pending=True, email=True),
        OK,
        EMAIL_CODE,
    ),
    (
        "§4.4 ON step 3: email only, not the recovery channel → EMAIL_OTP",
        pool("ON", totp=False, email=True),
        user(email=True),
        OK,
        EMAIL_CODE,
    ),
    (
        "§4.4 ON step 3: email only and it is the recovery channel → error",
        pool("ON", totp=False, email=True),
        user(email=True, recovery=True),
        OK,
        NO_METHOD,
    ),
    (
        "§8.1 ON: email MFA the user activated wins over email recovery",
        pool("ON", totp=False, email=True),
        user(EMAIL, email=True, recovery=True),
        OK,
        EMAIL_CODE,
    ),
    (
        "§8.1 ON: email MFA the user prefers wins over email recovery",
        pool("ON", email=True),
        user(preferred=EMAIL, totp=True, email=True, recovery=True),
        OK,
        EMAIL_CODE,
    ),
    (
        "§4.4 ON step 3: email is the recovery channel, pool TOTP on → MFA_SETUP",
        pool("ON", totp=True, email=True),
        user(email=True, recovery=True),
        OK,
        SETUP_TOTP,
    ),
    (
        "§4.4 ON step 5: no TOTP, no email → MFA_SETUP listing SOFTWARE_TOKEN_MFA",
        pool("ON", email=True),
        user(),
        OK,
        SETUP_TOTP,
    ),
    (
        "§4.4 ON: nothing usable and nothing that can be set up → error",
        pool("ON", totp=False, email=True),
        user(),
        OK,
        NO_METHOD,
    ),
    (
        "§4.4 ON step 7: after NEW_PASSWORD_REQUIRED → MFA_SETUP",
        pool("ON"),
        user(),
        NEW_PW,
        SETUP_TOTP,
    ),
    (
        "§4.4 OPTIONAL: after NEW_PASSWORD_REQUIRED an activated factor is still asked",
        pool("OPTIONAL"),
        user(TOTP, totp=True),
        NEW_PW,
        SOFTWARE,
    ),
    (
        "§4.4 ON step 8: MFA_SETUP answered with the Verify session → tokens (API reference)",
        pool("ON"),
        user(TOTP, preferred=TOTP, totp=True),
        SETUP_DONE,
        TOKENS,
    ),
    (
        "§4.4 step 8 in an OPTIONAL pool → tokens",
        pool("OPTIONAL"),
        user(TOTP, totp=True),
        SETUP_DONE,
        TOKENS,
    ),
]


@pytest.mark.parametrize(
    ("source", "pool_mfa", "user_mfa", "stage", "expected"), TABLE, ids=[row[0] for row in TABLE]
)
def test_next_step(
    source: str, pool_mfa: PoolMfa, user_mfa: UserMfa, stage: SessionStage, expected: Any
) -> None:
    if isinstance(expected, str):
        with raises_cognito(expected):
            next_step(pool_mfa, user_mfa, stage)
    else:
        assert next_step(pool_mfa, user_mfa, stage) == expected


def test_pool_snapshot_from_stored_mfa_document() -> None:
    stored = {
        "MfaConfiguration": "ON",
        "SoftwareTokenMfaConfiguration": {"Enabled": True},
        "EmailMfaConfiguration": {"Message": "code {####}", "Subject": "s"},
    }
    assert pool_mfa_of(stored) == PoolMfa(PoolMode.ON, totp_enabled=True, email_enabled=True)
    assert pool_mfa_of({}) == PoolMfa(PoolMode.OFF, totp_enabled=False, email_enabled=False)


def test_user_snapshot_ignores_unknown_factor_names() -> None:
    snap = user_mfa_of(
        mfa_enabled=["SOFTWARE_TOKEN_MFA", "WEB_AUTHN"],
        preferred="WEB_AUTHN",
        attributes={"email": "a@example.com"},
        recovery=None,
        has_totp=True,
        totp_pending=False,
    )
    assert snap.activated == frozenset({TOTP})
    assert snap.preferred is None
    assert snap.has_email and not snap.email_is_recovery  # unverified email recovers nothing


@pytest.mark.parametrize(
    ("attributes", "recovery", "channels", "email_is_recovery"),
    [
        ({"email": "a@x.io", "email_verified": "true"}, None, ["verified_email"], True),
        (
            {
                "email": "a@x.io",
                "email_verified": "true",
                "phone_number": "+15550100",
                "phone_number_verified": "true",
            },
            None,
            ["verified_phone_number", "verified_email"],
            False,
        ),  # legacy order: phone first
        (
            {"email": "a@x.io", "email_verified": "true"},
            {"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]},
            [],
            False,
        ),
        (
            {
                "email": "a@x.io",
                "email_verified": "true",
                "phone_number": "+15550100",
                "phone_number_verified": "true",
            },
            {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
            ["verified_email"],
            True,
        ),  # "Email only": email MFA is refused
        (
            {"email": "a@x.io", "email_verified": "false"},
            {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
            [],
            False,
        ),
    ],
)
def test_recovery_channel_of_a_user(
    attributes: dict[str, str],
    recovery: dict[str, Any] | None,
    channels: list[str],
    email_is_recovery: bool,
) -> None:
    assert recovery_channels(attributes, recovery) == channels
    snap = user_mfa_of(
        mfa_enabled=[],
        preferred=None,
        attributes=attributes,
        recovery=recovery,
        has_totp=False,
        totp_pending=False,
    )
    assert snap.email_is_recovery is email_is_recovery


# --- invariants over every combination ------------------------------------------------------------

pools = st.builds(
    PoolMfa,
    st.sampled_from(list(PoolMode)),
    totp_enabled=st.booleans(),
    email_enabled=st.booleans(),
)
users = st.builds(
    UserMfa,
    st.frozensets(st.sampled_from(list(Factor))),
    st.none() | st.sampled_from(list(Factor)),
    has_totp=st.booleans(),
    totp_pending=st.booleans(),
    has_email=st.booleans(),
    email_is_recovery=st.booleans(),
)


@given(pools, users, st.sampled_from([OK, NEW_PW]))
def test_invariants_of_the_decision(
    pool_mfa: PoolMfa, user_mfa: UserMfa, stage: SessionStage
) -> None:
    try:
        step = next_step(pool_mfa, user_mfa, stage)
    except CognitoError as exc:  # only a required pool can find no method at all
        assert exc.code == NO_METHOD and pool_mfa.mode is PoolMode.ON
        assert not pool_mfa.totp_enabled
        return
    if pool_mfa.mode is PoolMode.OFF:
        assert step == TOKENS
    if pool_mfa.mode is PoolMode.ON:
        assert step != TOKENS  # "All users must set up MFA before they can sign in."
    if pool_mfa.mode is PoolMode.OPTIONAL:
        assert not (isinstance(step, Challenge) and step.name is ChallengeName.MFA_SETUP)
    if isinstance(step, Challenge):
        assert step.name is not ChallengeName.NEW_PASSWORD_REQUIRED
        assert SMS not in step.options  # never offered: the embedded pool cannot send SMS
        if step.name is ChallengeName.SELECT_MFA_TYPE:
            assert len(step.options) >= 2
        if step.name is ChallengeName.SOFTWARE_TOKEN_MFA:
            assert user_mfa.has_totp
        if step.name is ChallengeName.EMAIL_OTP:
            assert user_mfa.has_email and pool_mfa.email_enabled


@given(pools, users)
def test_setup_verified_always_completes(pool_mfa: PoolMfa, user_mfa: UserMfa) -> None:
    assert next_step(pool_mfa, user_mfa, SETUP_DONE) == TOKENS
