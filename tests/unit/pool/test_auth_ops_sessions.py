"""The challenge session: retries and lockout, replay, expiry, binding to user, client and pool, races."""

from __future__ import annotations

from functools import partial

import pytest

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool.engine import Engine
from tests.support.auth_world import ALL_FLOWS, INVALID, SignInRig, tokens_of, totp_rig
from tests.support.cognito_errors import raises_cognito
from tests.support.pool_rig import IAM
from tests.support.race import run_together

# --- wrong codes and replayed codes ---------------------------------------------------------------


def test_wrong_code_keeps_the_session_for_a_retry(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    with raises_cognito("CodeMismatchException", "Invalid code or auth state for the user."):
        rig.respond(
            "SOFTWARE_TOKEN_MFA", session, USERNAME="alice", SOFTWARE_TOKEN_MFA_CODE="000000"
        )
    assert rig.row("alice").failed_attempts == 1
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )
    assert rig.row("alice").failed_attempts == 0  # a completed sign-in resets the lockout


def test_three_wrong_codes_end_the_session(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    for _ in range(3):
        with raises_cognito("CodeMismatchException"):
            rig.respond(
                "SOFTWARE_TOKEN_MFA", session, USERNAME="alice", SOFTWARE_TOKEN_MFA_CODE="000000"
            )
    with raises_cognito("NotAuthorizedException", INVALID):
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )


def test_a_code_is_accepted_once(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    code = rig.code(secret)
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            rig.login("alice")["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=code,
        )
    )
    with raises_cognito("CodeMismatchException"):
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            rig.login("alice")["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=code,
        )


# --- the session: spent, expired, bound -----------------------------------------------------------


def test_session_cannot_be_replayed_after_success(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )
    rig.clock.advance(30)
    with raises_cognito("NotAuthorizedException", INVALID):
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )


def test_session_expires_after_auth_session_validity(engine: Engine) -> None:
    rig, secret = totp_rig(engine, session_minutes=5)
    session = rig.login("alice")["Session"]
    rig.clock.advance(4 * 60)
    late = rig.login("alice")["Session"]
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )
    rig.clock.advance(5 * 60)
    with raises_cognito(
        "NotAuthorizedException", "Invalid session for the user, session is expired."
    ):
        rig.respond(
            "SOFTWARE_TOKEN_MFA", late, USERNAME="alice", SOFTWARE_TOKEN_MFA_CODE=rig.code(secret)
        )


def test_mallory_cannot_finish_her_session_as_alice(engine: Engine) -> None:
    rig, _ = totp_rig(engine)
    rig.user("mallory")
    mallory_secret = rig.enrol_totp("mallory")
    session = rig.login("mallory")["Session"]
    with raises_cognito("NotAuthorizedException", INVALID):
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(mallory_secret),
        )
    # The session still belongs to mallory, and finishes as mallory only.
    result = rig.respond(
        "SOFTWARE_TOKEN_MFA",
        session,
        USERNAME=rig.row("mallory").sub,
        SOFTWARE_TOKEN_MFA_CODE=rig.code(mallory_secret),
    )
    tokens_of(result)


def test_session_is_bound_to_its_client_and_pool(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    second = engine.call(
        "CreateUserPoolClient",
        {"UserPoolId": rig.pool_id, "ClientName": "d", "ExplicitAuthFlows": ALL_FLOWS},
        iam_principal=IAM,
    )["UserPoolClient"]["ClientId"]
    other = SignInRig(engine)
    session = rig.login("alice")["Session"]
    with raises_cognito("NotAuthorizedException", INVALID):
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            client_id=second,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    with raises_cognito("NotAuthorizedException", INVALID):
        other.admin(
            "AdminRespondToAuthChallenge",
            ClientId=other.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": rig.code(secret)},
        )
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )


def test_challenge_name_must_match_the_session(engine: Engine) -> None:
    rig, _ = totp_rig(engine)
    session = rig.login("alice")["Session"]
    with raises_cognito("NotAuthorizedException", INVALID):
        rig.respond("EMAIL_OTP", session, USERNAME="alice", EMAIL_OTP_CODE="12345678")


@pytest.mark.parametrize(
    ("challenge", "session", "responses", "message"),
    [
        ("SOFTWARE_TOKEN_MFA", None, {"USERNAME": "alice"}, "Missing required parameter Session"),
        ("SOFTWARE_TOKEN_MFA", "S" * 40, {}, "Missing required parameter USERNAME"),
        ("PASSWORD_VERIFIER", "S" * 40, {"USERNAME": "alice"}, None),
    ],
)
def test_malformed_challenge_responses(
    engine: Engine,
    challenge: str,
    session: str | None,
    responses: dict[str, str],
    message: str | None,
) -> None:
    rig = SignInRig(engine)
    with raises_cognito("InvalidParameterException", message):
        rig.respond(challenge, session, **responses)


def test_user_disabled_mid_flow_cannot_finish(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    rig.admin("AdminDisableUser", Username="alice")
    with raises_cognito("NotAuthorizedException"):
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )


# --- races ----------------------------------------------------------------------------------------


def test_two_threads_racing_with_one_correct_code(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    code = rig.code(secret)
    answer = partial(
        rig.respond, "SOFTWARE_TOKEN_MFA", session, USERNAME="alice", SOFTWARE_TOKEN_MFA_CODE=code
    )
    results = run_together([answer, answer], after_each=engine.db.close)
    outcomes = [r.code if isinstance(r, CognitoError) else "tokens" for r in results]
    assert sorted(outcomes) == ["NotAuthorizedException", "tokens"]
