"""(Admin)RespondToAuthChallenge, one answer per challenge a sign-in can meet.

NEW_PASSWORD_REQUIRED, MFA_SETUP, SOFTWARE_TOKEN_MFA and SELECT_MFA_TYPE, against the embedded engine.
"""

from __future__ import annotations

import json

import pytest

from mfa_portal.pool.engine import Engine
from tests.support.auth_world import INVALID, SignInRig, tokens_of, totp_rig
from tests.support.cognito_errors import raises_cognito
from tests.support.hash_count import counted_hashes

# --- NEW_PASSWORD_REQUIRED and MFA_SETUP ----------------------------------------------------------


def test_new_password_required_then_tokens(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice", email="alice@example.com", permanent=False)
    first = rig.login("alice", "Temp-pass-123")
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    params = first["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "alice"
    assert params["requiredAttributes"] == "[]"
    assert json.loads(params["userAttributes"]) == {"email": "alice@example.com"}
    with raises_cognito("InvalidPasswordException"):
        rig.respond(
            "NEW_PASSWORD_REQUIRED", first["Session"], USERNAME="alice", NEW_PASSWORD="short"
        )
    tokens_of(
        rig.respond(
            "NEW_PASSWORD_REQUIRED",
            first["Session"],
            USERNAME="alice",
            NEW_PASSWORD="Brand-new-pass-1",
        )
    )
    assert rig.row("alice").status == "CONFIRMED"
    with raises_cognito("NotAuthorizedException"):
        rig.login("alice", "Temp-pass-123")
    tokens_of(rig.login("alice", "Brand-new-pass-1"))


def test_new_password_required_refuses_attribute_updates(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice", permanent=False)
    first = rig.login("alice", "Temp-pass-123")
    responses = {
        "USERNAME": "alice",
        "NEW_PASSWORD": "Brand-new-pass-1",
        "userAttributes.name": "Alice",
    }
    with raises_cognito("InvalidParameterException"):
        rig.respond("NEW_PASSWORD_REQUIRED", first["Session"], **responses)


def test_a_made_up_session_buys_no_hash(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new password is hashed (~20 ms of a core) only for a session that exists: a caller
    without one must not be able to buy a hash per request."""
    rig = SignInRig(engine)
    rig.user("alice", permanent=False)
    hashed = counted_hashes(engine.hasher, monkeypatch)
    for made_up in ("x" * 40, "AYABeC0ffee" * 30):
        with raises_cognito("NotAuthorizedException", INVALID):
            rig.respond(
                "NEW_PASSWORD_REQUIRED", made_up, USERNAME="alice", NEW_PASSWORD="Brand-new-pass-1"
            )
    assert hashed == []
    first = rig.login("alice", "Temp-pass-123")
    tokens_of(
        rig.respond(
            "NEW_PASSWORD_REQUIRED",
            first["Session"],
            USERNAME="alice",
            NEW_PASSWORD="Brand-new-pass-1",
        )
    )
    assert hashed == ["Brand-new-pass-1"]


def test_on_pool_new_password_then_mfa_setup_then_tokens(engine: Engine) -> None:
    """Spec §4.4 step 7 and 8: NEW_PASSWORD_REQUIRED → MFA_SETUP → Associate → Verify → tokens."""
    rig = SignInRig(engine, mfa="ON")
    rig.user("alice", permanent=False)
    first = rig.login("alice", "Temp-pass-123")
    setup = rig.respond(
        "NEW_PASSWORD_REQUIRED", first["Session"], USERNAME="alice", NEW_PASSWORD="Brand-new-pass-1"
    )
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert setup["ChallengeParameters"]["MFAS_CAN_SETUP"] == '["SOFTWARE_TOKEN_MFA"]'
    # The MFA_SETUP session itself cannot complete the challenge.
    with raises_cognito("NotAuthorizedException", INVALID):
        rig.respond("MFA_SETUP", setup["Session"], USERNAME="alice")
    assoc = engine.call("AssociateSoftwareToken", {"Session": setup["Session"]})
    verified = engine.call(
        "VerifySoftwareToken",
        {
            "Session": assoc["Session"],
            "UserCode": rig.code(assoc["SecretCode"]),
            "FriendlyDeviceName": "phone",
        },
    )
    with raises_cognito(
        "NotAuthorizedException", INVALID
    ):  # only Verify's session completes MFA_SETUP
        rig.respond("MFA_SETUP", assoc["Session"], USERNAME="alice")
    tokens_of(rig.respond("MFA_SETUP", verified["Session"], USERNAME="alice"))
    with raises_cognito("NotAuthorizedException", INVALID):  # spent
        rig.respond("MFA_SETUP", verified["Session"], USERNAME="alice")
    rig.clock.advance(30)
    again = rig.login("alice", "Brand-new-pass-1")
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_on_pool_without_a_factor_gets_mfa_setup_after_the_password(engine: Engine) -> None:
    rig = SignInRig(engine, mfa="ON")
    rig.user("alice", email="alice@example.com", verified=True)
    setup = rig.login("alice")
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]


def test_on_pool_email_only_recovery_channel_has_no_method(engine: Engine) -> None:
    rig = SignInRig(
        engine, mfa="ON", totp_enabled=False, email_mfa=True, recovery=["verified_email"]
    )
    rig.user("alice", email="alice@example.com", verified=True)
    with raises_cognito("MFAMethodNotFoundException"):
        rig.login("alice")


# --- SOFTWARE_TOKEN_MFA ---------------------------------------------------------------------------


def test_software_token_challenge_and_answer(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    challenge = rig.login("alice")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"] == {
        "FRIENDLY_DEVICE_NAME": "phone",
        "USER_ID_FOR_SRP": "alice",
    }
    assert 20 <= len(challenge["Session"]) <= 4096
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            challenge["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )


def test_admin_respond_completes_the_challenge(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    challenge = rig.login("alice", flow="ADMIN_USER_PASSWORD_AUTH")
    result = rig.admin(
        "AdminRespondToAuthChallenge",
        ClientId=rig.client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": rig.code(secret)},
    )
    tokens_of(result)


def test_missing_code_is_named_and_not_counted(engine: Engine) -> None:
    rig, _ = totp_rig(engine)
    session = rig.login("alice")["Session"]
    with raises_cognito(
        "InvalidParameterException", "Missing required parameter SOFTWARE_TOKEN_MFA_CODE"
    ):
        rig.respond("SOFTWARE_TOKEN_MFA", session, USERNAME="alice")
    assert rig.row("alice").failed_attempts == 0


def test_token_removed_mid_flow(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    rig.sql("UPDATE software_tokens SET secret = NULL")
    with raises_cognito(
        "SoftwareTokenMFANotFoundException", "Software Token MFA does not exist for the user."
    ):
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )


def test_pending_association_keeps_the_verified_token_challenged_in_optional_and_on(
    engine: Engine,
) -> None:
    """Deliberately safer than Cognito (docs/compatibility.md): an abandoned replacement does not
    leave the password alone in OPTIONAL pools, nor hand out MFA_SETUP in ON pools."""
    rig, secret = totp_rig(engine)
    challenge = rig.login("alice")
    access = tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            challenge["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )["AccessToken"]
    engine.call("AssociateSoftwareToken", {"AccessToken": access})
    assert rig.login("alice")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    rig.set_mfa("ON")
    assert rig.login("alice")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


# --- SELECT_MFA_TYPE ------------------------------------------------------------------------------


def test_select_mfa_type_then_the_chosen_factor(engine: Engine) -> None:
    rig = SignInRig(engine, mfa="OPTIONAL", email_mfa=True)
    rig.user("alice", email="alice@example.com")
    secret = rig.enrol_totp("alice")
    rig.activate("alice", ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"], None)
    select = rig.login("alice")
    assert select["ChallengeName"] == "SELECT_MFA_TYPE"
    assert select["ChallengeParameters"] == {
        "MFAS_CAN_CHOOSE": '["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'
    }
    with raises_cognito("InvalidParameterException"):
        rig.respond("SELECT_MFA_TYPE", select["Session"], USERNAME="alice", ANSWER="SMS_MFA")
    chosen = rig.respond(
        "SELECT_MFA_TYPE", select["Session"], USERNAME="alice", ANSWER="SOFTWARE_TOKEN_MFA"
    )
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with raises_cognito("NotAuthorizedException", INVALID):
        rig.respond(
            "SELECT_MFA_TYPE", select["Session"], USERNAME="alice", ANSWER="SOFTWARE_TOKEN_MFA"
        )
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            chosen["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )
