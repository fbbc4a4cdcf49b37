"""Requests built to cost the pool more than they cost their sender, over real HTTP from an
anonymous caller: each gets a short Cognito-shaped 400 at once, and nothing reaches the log as an
error.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

import pytest

from mfa_portal.pool.validate import MAX_ATTRIBUTES, MAX_TOKEN_CHARS

if TYPE_CHECKING:
    from tests.support.wire import WireServer

PASSWORD = "Correct-Horse-9!"
FAST = 1.0  # seconds, for a request that used to be refused only after reading all of it


def no_error_logged(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]


@pytest.fixture
def app(wire_server: WireServer) -> dict[str, str]:
    """A pool with a client and a signed-in user; returns the ids and a real access token."""
    call = wire_server.engine.call
    pool_id = call("CreateUserPool", {"PoolName": "costly"}, iam_principal="t")["UserPool"]["Id"]
    client_id = call(
        "CreateUserPoolClient",
        {
            "UserPoolId": pool_id,
            "ClientName": "c",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
        iam_principal="t",
    )["UserPoolClient"]["ClientId"]
    call(
        "AdminCreateUser",
        {"UserPoolId": pool_id, "Username": "ivy", "MessageAction": "SUPPRESS"},
        iam_principal="t",
    )
    call(
        "AdminSetUserPassword",
        {"UserPoolId": pool_id, "Username": "ivy", "Password": PASSWORD, "Permanent": True},
        iam_principal="t",
    )
    token = call(
        "InitiateAuth",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "ivy", "PASSWORD": PASSWORD},
        },
    )["AuthenticationResult"]["AccessToken"]
    return {"pool": pool_id, "client": client_id, "token": token}


def timed_post(server: WireServer, operation: str, body: bytes) -> tuple[Any, float]:
    start = time.perf_counter()
    response = server.post(operation, body)
    return response, time.perf_counter() - start


# --- F6: size does not buy cost -------------------------------------------------------------


def test_a_forged_megabyte_access_token_is_refused_before_any_decode(
    wire_server: WireServer, app: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    # The header names the pool's real access-token key (public, from the JWKS).
    header = app["token"].split(".")[0]
    forged = json.dumps({"AccessToken": f"{header}.{'a' * 1_000_000}.bbbb"}).encode()
    with caplog.at_level(logging.INFO):
        response, seconds = timed_post(wire_server, "GetUser", forged)
    assert response.status_code == 400
    assert response.json() == {
        "__type": "NotAuthorizedException",
        "message": "Invalid Access Token",
    }
    assert seconds < FAST
    no_error_logged(caplog)
    # The bound is far above a real token: the real one still works.
    assert len(app["token"]) < MAX_TOKEN_CHARS // 4
    idp = wire_server.client(signed=False)
    assert idp.get_user(AccessToken=app["token"])["Username"] == "ivy"


def test_an_oversized_refresh_token_is_an_invalid_refresh_token(
    wire_server: WireServer, app: dict[str, str]
) -> None:
    body = {"ClientId": app["client"], "RefreshToken": "a" * (MAX_TOKEN_CHARS + 1)}
    response = wire_server.post("GetTokensFromRefreshToken", body)
    assert response.status_code == 400
    assert response.json() == {
        "__type": "NotAuthorizedException",
        "message": "Invalid Refresh Token",
    }


def test_a_megabyte_of_unknown_members_gets_a_short_answer(
    wire_server: WireServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps({f"k{i}": 1 for i in range(80_000)}, separators=(",", ":")).encode()
    assert len(body) > 800_000
    with caplog.at_level(logging.INFO):
        response, seconds = timed_post(wire_server, "InitiateAuth", body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["__type"] == "InvalidParameterException"
    assert "Unknown parameter 'k0'" in answer["message"]
    assert "79997 more unknown parameters" in answer["message"]
    assert len(response.content) < 1000
    assert seconds < FAST
    no_error_logged(caplog)


def test_sign_up_with_35000_attributes_is_refused_by_their_count(
    wire_server: WireServer, app: dict[str, str]
) -> None:
    attrs = [{"Name": "n", "Value": "vvv"}] * 35_000
    body = {"ClientId": app["client"], "Username": "new", "Password": PASSWORD}
    response, seconds = timed_post(
        wire_server,
        "SignUp",
        json.dumps({**body, "UserAttributes": attrs}, separators=(",", ":")).encode(),
    )
    assert response.status_code == 400
    assert response.json()["message"] == (
        "1 validation error detected: Value '[35000 items]' at 'userAttributes' failed to "
        f"satisfy constraint: Member must have length less than or equal to {MAX_ATTRIBUTES}"
    )
    assert seconds < FAST
