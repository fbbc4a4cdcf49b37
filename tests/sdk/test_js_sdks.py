"""The JavaScript SDKs applications use, unchanged, against a real ``mfa-portal pool serve``.

amazon-cognito-identity-js and aws-amplify v6 sign in with USER_SRP_AUTH by default; the AWS SDK for
JavaScript v3 carries the same calls and the IAM-signed admin ones. Each story runs in Node
(``tests/sdk/js/run.js``, packages pinned in its package.json and installed by ``make test``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.support.pool_process import PoolProcess, pool_serve, portal_serve
from tests.support.tools import require_tool

JS = Path(__file__).parent / "js"
PASSWORD = "Correct-Horse-9!"
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass
class SdkPool:
    server: PoolProcess
    idp: Any
    pool_id: str
    client_id: str

    def user(self, name: str, *, permanent: bool = True) -> None:
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username=name,
            TemporaryPassword="Temp-Pass-123!",
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        )
        if permanent:
            self.idp.admin_set_user_password(
                UserPoolId=self.pool_id, Username=name, Password=PASSWORD, Permanent=True
            )

    def enrol(self, name: str) -> str:
        """TOTP on and preferred for ``name``; returns the secret."""
        access = self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]["AccessToken"]
        secret = str(self.idp.associate_software_token(AccessToken=access)["SecretCode"])
        self.idp.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now())
        self.idp.set_user_mfa_preference(
            AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
        )
        return secret

    def run(self, scenario: str, **args: Any) -> dict[str, Any]:
        node = require_tool("node")
        base = {
            "endpoint": self.server.endpoint,
            "region": "us-east-1",
            "poolId": self.pool_id,
            "clientId": self.client_id,
            "accessKeyId": self.server.access_key_id,
            "secretAccessKey": self.server.secret_access_key,
        }
        done = subprocess.run(
            [node, str(JS / "run.js"), scenario, json.dumps({**base, **args})],
            cwd=JS,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result


@pytest.fixture(scope="module", autouse=True)
def _node_modules() -> None:
    if not (JS / "node_modules").is_dir():
        npm = shutil.which("npm")
        if npm is None or os.environ.get("CI"):
            pytest.fail(
                "tests/sdk/js/node_modules is missing: run `make test` (it runs npm ci there)"
            )
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=600)


@pytest.fixture(scope="module", params=["pool serve", "serve"])
def pool_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PoolProcess]:
    """One real server per module and kind (the standalone pool, and the portal's ``/cognito``);
    every test makes its own user pool in it."""
    start = pool_serve if request.param == "pool serve" else portal_serve
    with start(tmp_path_factory.mktemp("sdk-server") / "data") as server:
        yield server


@pytest.fixture
def sdk_pool(pool_server: PoolProcess) -> SdkPool:
    idp = pool_server.idp()
    pool_id = idp.create_user_pool(PoolName="sdk")["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=FLOWS,
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    return SdkPool(pool_server, idp, pool_id, client_id)


def test_identity_js_signs_in_with_srp_then_totp(sdk_pool: SdkPool) -> None:
    sdk_pool.user("alice")
    secret = sdk_pool.enrol("alice")
    result = sdk_pool.run("identity-js", username="alice", password=PASSWORD, secret=secret)
    assert result == {
        "ok": True,
        "flow": "USER_SRP_AUTH",
        "seen": ["SOFTWARE_TOKEN_MFA"],
        "username": "alice",
    }


def test_identity_js_is_refused_a_wrong_password(sdk_pool: SdkPool) -> None:
    sdk_pool.user("alice")
    result = sdk_pool.run("identity-js", username="alice", password="Wrong-Horse-9!")
    assert (result["ok"], result["code"], result["message"]) == (
        False,
        "NotAuthorizedException",
        "Incorrect username or password.",
    )


def test_identity_js_sets_a_new_password_and_enrols_through_mfa_setup(sdk_pool: SdkPool) -> None:
    sdk_pool.idp.set_user_pool_mfa_config(
        UserPoolId=sdk_pool.pool_id,
        MfaConfiguration="ON",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    sdk_pool.user("bob", permanent=False)
    result = sdk_pool.run(
        "identity-js", username="bob", password="Temp-Pass-123!", newPassword=PASSWORD
    )
    assert result["ok"], result
    assert result["seen"][:3] == ["NEW_PASSWORD_REQUIRED", "MFA_SETUP", "ASSOCIATED"]
    user = sdk_pool.idp.admin_get_user(UserPoolId=sdk_pool.pool_id, Username="bob")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]


def test_sdk_v3_carries_srp_and_signed_admin_calls(sdk_pool: SdkPool) -> None:
    sdk_pool.user("carol")
    result = sdk_pool.run("sdk-v3", username="carol", password=PASSWORD)
    assert result == {"ok": True, "challenge": None, "adminUser": "carol"}


def test_amplify_signs_in_with_its_default_srp_flow_and_totp_then_signs_out(
    sdk_pool: SdkPool,
) -> None:
    sdk_pool.user("dora")
    secret = sdk_pool.enrol("dora")
    result = sdk_pool.run("amplify", username="dora", password=PASSWORD, secret=secret)
    assert result == {
        "ok": True,
        "steps": ["CONFIRM_SIGN_IN_WITH_TOTP_CODE", "DONE"],
        "username": "dora",
        "refreshed": None,
        "signedOut": True,
    }


def test_amplify_refreshes_after_the_access_token_expires(sdk_pool: SdkPool) -> None:
    """On a client whose access tokens live 5 minutes (Cognito's least), Amplify v6 refreshes with
    GetTokensFromRefreshToken once they have expired: sessions outlive the access token."""
    client_id = sdk_pool.idp.create_user_pool_client(
        UserPoolId=sdk_pool.pool_id,
        ClientName="short",
        ExplicitAuthFlows=FLOWS,
        AccessTokenValidity=5,
        IdTokenValidity=5,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes"},
    )["UserPoolClient"]["ClientId"]
    sdk_pool.user("erin")
    result = sdk_pool.run(
        "amplify", username="erin", password=PASSWORD, skewSeconds=330, clientId=client_id
    )
    assert result["ok"], result
    assert result["steps"] == ["DONE"] and result["refreshed"] is True and result["signedOut"]


def test_amplify_refreshes_on_a_rotating_client(sdk_pool: SdkPool) -> None:
    client_id = sdk_pool.idp.create_user_pool_client(
        UserPoolId=sdk_pool.pool_id,
        ClientName="rotating",
        ExplicitAuthFlows=FLOWS,
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
    )["UserPoolClient"]["ClientId"]
    sdk_pool.user("finn")
    result = sdk_pool.run(
        "amplify", username="finn", password=PASSWORD, skewSeconds=3700, clientId=client_id
    )
    assert result["ok"], result
    assert result["refreshed"] is True
