"""Requests built to cost the pool more than they cost their sender, and strings that are not
Unicode, over real HTTP from an anonymous caller: each gets a short Cognito-shaped 400 at once,
and nothing reaches the log as an error.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

import pytest

from mfa_portal.pool.validate import MAX_ATTRIBUTES, MAX_TOKEN_CHARS
from tests.support.engine_calls import pool_with_signed_in_user

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
    pool_id, client_id, tokens = pool_with_signed_in_user(
        wire_server.engine, "costly", ("ivy",), PASSWORD
    )
    token = str(tokens["AccessToken"])
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


# --- F7: strings that are not Unicode ---------------------------------------------------------

# The audit's bodies: each gave a 500 (one a plain-text 500 from the server) and a traceback.
SURROGATE_BODIES = {
    "InitiateAuth": [
        '{"ClientId":"%(client)s","AuthFlow":"\\ud800","AuthParameters":{}}',
        '{"ClientId":"%(client)s","AuthFlow":"USER_PASSWORD_AUTH",'
        '"AuthParameters":{"USERNAME":"\\ud800","PASSWORD":"x"}}',
        '{"ClientId":"%(client)s","AuthFlow":"USER_PASSWORD_AUTH",'
        '"AuthParameters":{"USERNAME":"ivy","PASSWORD":"\\udfff"}}',
        '{"ClientId":"%(client)s","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"\\ud800":"x"}}',
        '{"ClientId":"\\ud800","AuthFlow":"USER_PASSWORD_AUTH"}',
    ],
    "RespondToAuthChallenge": [
        '{"ClientId":"%(client)s","ChallengeName":"SOFTWARE_TOKEN_MFA",'
        '"Session":"\\ud800xxxxxxxxxxxxxxxxxxxx","ChallengeResponses":{"USERNAME":"a"}}',
    ],
    "SignUp": [
        '{"ClientId":"%(client)s","Username":"zz\\ud800","Password":"Correct-Horse-9"}',
        '{"ClientId":"%(client)s","Username":"zz","Password":"Correct-Horse-9",'
        '"UserAttributes":[{"Name":"name","Value":"\\ud800"}]}',
    ],
    "UpdateUserAttributes": [
        '{"AccessToken":"%(token)s","UserAttributes":[{"Name":"name","Value":"a\\udc00"}]}',
    ],
    "GetTokensFromRefreshToken": [
        '{"ClientId":"%(client)s","RefreshToken":"abc","DeviceKey":"\\ud800"}',
    ],
    "GetUserAttributeVerificationCode": [
        '{"AccessToken":"%(token)s","AttributeName":"\\ud800"}',
    ],
    "VerifyUserAttribute": [
        '{"AccessToken":"%(token)s","AttributeName":"\\ud800","Code":"123456"}',
    ],
}
SURROGATE_CASES = [(op, body) for op, bodies in SURROGATE_BODIES.items() for body in bodies]


@pytest.mark.parametrize(("operation", "template"), SURROGATE_CASES)
def test_a_lone_surrogate_is_a_serialization_error_without_a_traceback(
    wire_server: WireServer,
    app: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    operation: str,
    template: str,
) -> None:
    body = (template % app).encode()
    with caplog.at_level(logging.INFO):
        response = wire_server.post(operation, body)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert response.json() == {
        "__type": "SerializationException",
        "message": "The request body holds a string that is not valid Unicode "
        "(a lone surrogate escape).",
    }
    no_error_logged(caplog)


def test_an_escaped_surrogate_pair_is_an_ordinary_character(
    wire_server: WireServer, app: dict[str, str]
) -> None:
    body = (
        '{"AccessToken":"' + app["token"] + '",'
        '"UserAttributes":[{"Name":"name","Value":"Ivy \\ud83d\\ude00"}]}'
    ).encode()
    assert wire_server.post("UpdateUserAttributes", body).status_code == 200
    idp = wire_server.client(signed=False)
    attrs = idp.get_user(AccessToken=app["token"])["UserAttributes"]
    assert {"Name": "name", "Value": "Ivy \U0001f600"} in attrs


def test_a_surrogate_escape_in_a_body_orjson_refuses_for_another_reason_is_refused_too(
    wire_server: WireServer, app: dict[str, str]
) -> None:
    # A number beyond 64 bits sends the body to the standard library's parser as well.
    body = (
        '{"ClientId":"' + app["client"] + '","AuthFlow":"USER_PASSWORD_AUTH",'
        '"AuthParameters":{"USERNAME":"\\ud800","PASSWORD":"x"},"x":' + str(2**70) + "}"
    ).encode()
    response = wire_server.post("InitiateAuth", body)
    assert response.status_code == 400
    assert response.json()["__type"] == "SerializationException"


def test_text_that_only_looks_like_an_escape_is_kept(
    wire_server: WireServer, app: dict[str, str]
) -> None:
    """An escaped backslash before ``ud800`` is six ordinary characters, not a surrogate."""
    body = (
        '{"AccessToken":"' + app["token"] + '",'
        '"UserAttributes":[{"Name":"name","Value":"\\\\ud800"}],"x":' + str(2**70) + "}"
    ).encode()
    response = wire_server.post("UpdateUserAttributes", body)
    assert response.status_code == 400  # refused for the unknown member, not as non-Unicode
    assert response.json()["__type"] == "InvalidParameterException"
    del_x = body.replace(b',"x":' + str(2**70).encode(), b"")
    assert wire_server.post("UpdateUserAttributes", del_x).status_code == 200
    idp = wire_server.client(signed=False)
    attrs = idp.get_user(AccessToken=app["token"])["UserAttributes"]
    assert {"Name": "name", "Value": "\\ud800"} in attrs
