"""USER_SRP_AUTH over HTTP with the clients applications use (pycognito, warrant-lite, boto3).

SRP is the default flow of every Cognito front-end SDK. The pool must accept the right password
without ever receiving it, refuse a wrong one with Cognito's error, count it into the same lockout
as a password sign-in, and go on to the same challenges (new password, TOTP) afterwards.
"""

from __future__ import annotations

import base64
import datetime
import sqlite3
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException, SoftwareTokenMFAChallengeException
from warrant_lite import WarrantLite

from tests.support.wire import WireServer

PASSWORD = "Correct-Horse-9!"
ALL_FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]


@dataclass
class SrpPool:
    server: WireServer
    idp: Any
    pool_id: str
    client_id: str

    def user(self, name: str, *, permanent: bool = True) -> None:
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username=name,
            TemporaryPassword="Temp-Pass-123!",
            MessageAction="SUPPRESS",
        )
        if permanent:
            self.idp.admin_set_user_password(
                UserPoolId=self.pool_id, Username=name, Password=PASSWORD, Permanent=True
            )

    def client(self, *, flows: list[str] | None = None, secret: bool = False) -> dict[str, Any]:
        made: dict[str, Any] = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="another",
            ExplicitAuthFlows=flows or ALL_FLOWS,
            GenerateSecret=secret,
            PreventUserExistenceErrors="ENABLED",
        )["UserPoolClient"]
        return made

    def srp(self, name: str, password: str, client_id: str | None = None) -> AWSSRP:
        return AWSSRP(name, password, self.pool_id, client_id or self.client_id, client=self.idp)

    def cognito(self, name: str) -> Cognito:
        app = Cognito(
            self.pool_id,
            self.client_id,
            username=name,
            boto3_client_kwargs={
                "endpoint_url": self.server.endpoint,
                "aws_access_key_id": "unused",
                "aws_secret_access_key": "unused",
            },
        )
        app.pool_domain_url = self.server.endpoint  # the issuer is <endpoint>/<pool id>
        return app


@pytest.fixture
def pool(wire_server: WireServer) -> SrpPool:
    idp = wire_server.client()
    pool_id = idp.create_user_pool(PoolName="srp")["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=ALL_FLOWS,
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    return SrpPool(wire_server, idp, pool_id, client_id)


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return str(err["Code"]), str(err["Message"])


def test_pycognito_signs_in_with_srp_and_verifies_the_tokens(pool: SrpPool) -> None:
    pool.user("alice")
    app = pool.cognito("alice")
    app.authenticate(password=PASSWORD)  # verifies both tokens against the pool's JWKS
    assert app.access_token and app.id_token
    assert pool.idp.get_user(AccessToken=app.access_token)["Username"] == "alice"


def test_warrant_lite_signs_in_with_srp(pool: SrpPool) -> None:
    pool.user("bob")
    tokens = WarrantLite("bob", PASSWORD, pool.pool_id, pool.client_id, client=pool.idp)
    result = tokens.authenticate_user()["AuthenticationResult"]
    assert pool.idp.get_user(AccessToken=result["AccessToken"])["Username"] == "bob"


def test_a_wrong_password_is_refused_with_cognitos_error(pool: SrpPool) -> None:
    pool.user("alice")
    with pytest.raises(ClientError) as exc:
        pool.srp("alice", "Wrong-Horse-9!").authenticate_user()
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_srp_failures_count_into_the_password_lockout(pool: SrpPool) -> None:
    pool.user("alice")
    for _ in range(5):
        with pytest.raises(ClientError):
            pool.srp("alice", "Wrong-Horse-9!").authenticate_user()
    with pytest.raises(ClientError) as exc:  # now even the right password, by either flow
        pool.idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    assert _error(exc) == ("NotAuthorizedException", "Password attempts exceeded")
    with pytest.raises(ClientError) as exc:
        pool.srp("alice", PASSWORD).authenticate_user()
    assert _error(exc) == ("NotAuthorizedException", "Password attempts exceeded")


def test_srp_then_the_totp_challenge(pool: SrpPool) -> None:
    pool.user("carol")
    app = pool.cognito("carol")
    app.authenticate(password=PASSWORD)
    secret = pool.idp.associate_software_token(AccessToken=app.access_token)["SecretCode"]
    pool.idp.verify_software_token(AccessToken=app.access_token, UserCode=pyotp.TOTP(secret).now())
    pool.idp.set_user_mfa_preference(
        AccessToken=app.access_token,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    again = pool.cognito("carol")
    with pytest.raises(SoftwareTokenMFAChallengeException):
        again.authenticate(password=PASSWORD)
    code = pyotp.TOTP(secret).at(
        datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=30)
    )
    again.respond_to_software_token_mfa_challenge(code)  # the next step's code: not a replay
    assert pool.idp.get_user(AccessToken=again.access_token)["Username"] == "carol"


def test_a_temporary_password_leads_to_a_new_password_challenge(pool: SrpPool) -> None:
    pool.user("dave", permanent=False)
    with pytest.raises(ForceChangePasswordException):
        pool.srp("dave", "Temp-Pass-123!").authenticate_user()


def test_admin_initiate_auth_takes_srp_too(pool: SrpPool) -> None:
    pool.user("erin")
    srp = pool.srp("erin", PASSWORD)
    params = srp.get_auth_params()
    step = pool.idp.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters=params,
    )
    assert step["ChallengeName"] == "PASSWORD_VERIFIER"
    result = pool.idp.admin_respond_to_auth_challenge(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_challenge(step["ChallengeParameters"], params),
    )
    assert "AccessToken" in result["AuthenticationResult"]


def test_a_client_that_does_not_allow_srp_refuses_it(pool: SrpPool) -> None:
    pool.user("alice")
    other = pool.client(flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(ClientError) as exc:
        pool.srp("alice", PASSWORD, other["ClientId"]).authenticate_user()
    assert _error(exc) == ("InvalidParameterException", "Auth flow not enabled for this client")


def test_a_client_with_a_secret_needs_the_secret_hash(pool: SrpPool) -> None:
    pool.user("alice")
    other = pool.client(secret=True)
    with pytest.raises(ClientError) as exc:
        pool.srp("alice", PASSWORD, other["ClientId"]).authenticate_user()
    assert _error(exc)[0] == "NotAuthorizedException"
    srp = AWSSRP(
        "alice",
        PASSWORD,
        pool.pool_id,
        other["ClientId"],
        client=pool.idp,
        client_secret=other["ClientSecret"],
    )
    assert "AccessToken" in srp.authenticate_user()["AuthenticationResult"]


def test_an_unknown_user_looks_like_a_wrong_password(pool: SrpPool) -> None:
    pool.user("alice")
    answers = []
    for name in ("alice", "nobody"):
        srp = pool.srp(name, "Wrong-Horse-9!")
        params = srp.get_auth_params()
        step = pool.idp.initiate_auth(
            ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params
        )
        assert step["ChallengeName"] == "PASSWORD_VERIFIER"
        assert set(step["ChallengeParameters"]) == {
            "SALT",
            "SECRET_BLOCK",
            "SRP_B",
            "USERNAME",
            "USER_ID_FOR_SRP",
        }
        with pytest.raises(ClientError) as exc:
            pool.idp.respond_to_auth_challenge(
                ClientId=pool.client_id,
                ChallengeName="PASSWORD_VERIFIER",
                ChallengeResponses=srp.process_challenge(step["ChallengeParameters"], params),
            )
        answers.append(_error(exc))
    assert answers[0] == answers[1] == ("NotAuthorizedException", "Incorrect username or password.")


def test_without_existence_protection_an_unknown_user_is_named(pool: SrpPool) -> None:
    client_id = pool.idp.create_user_pool_client(
        UserPoolId=pool.pool_id,
        ClientName="legacy",
        ExplicitAuthFlows=ALL_FLOWS,
        PreventUserExistenceErrors="LEGACY",
    )["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as exc:
        pool.srp("nobody", PASSWORD, client_id).authenticate_user()
    assert _error(exc)[0] == "UserNotFoundException"


def test_a_disabled_account_is_told_only_after_the_right_password(pool: SrpPool) -> None:
    pool.user("frank")
    pool.idp.admin_disable_user(UserPoolId=pool.pool_id, Username="frank")
    with pytest.raises(ClientError) as exc:
        pool.srp("frank", "Wrong-Horse-9!").authenticate_user()
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as exc:
        pool.srp("frank", PASSWORD).authenticate_user()
    assert _error(exc) == ("NotAuthorizedException", "User is disabled.")


def _claim(pool: SrpPool, name: str) -> tuple[AWSSRP, dict[str, Any], dict[str, str]]:
    srp = pool.srp(name, PASSWORD)
    params = srp.get_auth_params()
    step = pool.idp.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params
    )
    return srp, step, srp.process_challenge(step["ChallengeParameters"], params)


def test_a_claim_works_once(pool: SrpPool) -> None:
    pool.user("alice")
    _, _, responses = _claim(pool, "alice")
    pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
    )
    with pytest.raises(ClientError) as exc:
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
        )
    assert _error(exc)[0] == "NotAuthorizedException"


def test_a_stale_timestamp_is_refused(pool: SrpPool) -> None:
    pool.user("alice")
    srp = pool.srp("alice", PASSWORD)
    params = srp.get_auth_params()
    step = pool.idp.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params
    )
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    stamp = AWSSRP.get_cognito_formatted_timestamp(old)
    responses = srp.process_challenge(step["ChallengeParameters"], params)
    # Re-sign over the old timestamp, as a client with a wrong clock would.
    cp = step["ChallengeParameters"]
    key = srp.get_password_authentication_key(
        cp["USER_ID_FOR_SRP"], PASSWORD, int(cp["SRP_B"], 16), cp["SALT"]
    )
    import hashlib
    import hmac

    msg = (
        pool.pool_id.split("_")[1].encode()
        + cp["USER_ID_FOR_SRP"].encode()
        + base64.b64decode(cp["SECRET_BLOCK"])
        + stamp.encode()
    )
    responses["TIMESTAMP"] = stamp
    responses["PASSWORD_CLAIM_SIGNATURE"] = base64.b64encode(
        hmac.new(key, msg, hashlib.sha256).digest()
    ).decode()
    with pytest.raises(ClientError) as exc:
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
        )
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_bad_srp_a_is_a_parameter_error(pool: SrpPool) -> None:
    pool.user("alice")
    with pytest.raises(ClientError) as exc:
        pool.idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": "alice", "SRP_A": "0"},
        )
    assert _error(exc)[0] == "InvalidParameterException"


def test_the_verifier_is_sealed_at_rest(pool: SrpPool) -> None:
    pool.user("alice")
    db = pool.server.engine.db.path
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT verifier FROM srp_verifiers").fetchone()
    assert stored.startswith("v1:")  # sealed: AES-GCM, not "<salt>:<v>"
    assert ":" not in stored[3:]


def test_a_password_set_before_srp_is_picked_up_at_the_next_password_sign_in(pool: SrpPool) -> None:
    pool.user("alice")
    with sqlite3.connect(pool.server.engine.db.path) as conn:
        conn.execute("DELETE FROM srp_verifiers")  # as for a user created before SRP existed
    with pytest.raises(ClientError) as exc:
        pool.srp("alice", PASSWORD).authenticate_user()
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    assert "AccessToken" in pool.srp("alice", PASSWORD).authenticate_user()["AuthenticationResult"]


def test_an_unknown_name_is_locked_out_like_a_user_over_srp(pool: SrpPool) -> None:
    """The sixth wrong SRP claim answers the same for a real and an unknown name."""
    pool.user("alice")
    answers = {}
    for name in ("alice", "nobody"):
        for _ in range(5):
            with pytest.raises(ClientError):
                pool.srp(name, "Wrong-Horse-9!").authenticate_user()
        with pytest.raises(ClientError) as exc:
            pool.srp(name, "Wrong-Horse-9!").authenticate_user()
        answers[name] = _error(exc)
    assert (
        answers["alice"]
        == answers["nobody"]
        == (
            "NotAuthorizedException",
            "Password attempts exceeded",
        )
    )
