"""Hostile input over real HTTP: slow patterns, deep JSON, huge numbers. Always a 400, fast, no trace.

Each test posts with real boto3 (or raw HTTP where boto3 cannot produce the body) to a pool served on
a socket, as an anonymous caller or a signed administrator would.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfa_portal.pool import ids
from mfa_portal.pool.wire import MAX_BODY_BYTES

if TYPE_CHECKING:
    from tests.support.wire import WireServer

CLIENT_ID = "a" * 26
# The largest password the body limit lets through: a pattern with quadratic backtracking used to
# spend hours of CPU on it (30,000 characters took 9.8 s).
HUGE_PASSWORD = "a" * (MAX_BODY_BYTES - 300)
FAST = 1.0  # seconds


def error_code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def timed_refusal(call: Any, **params: Any) -> tuple[str, float]:
    """The error code of ``call(**params)`` and the seconds it took to come back."""
    start = time.perf_counter()
    with pytest.raises(ClientError) as info:
        call(**params)
    return error_code(info), time.perf_counter() - start


@pytest.fixture
def anonymous(wire_server: WireServer) -> Any:
    return wire_server.client(signed=False)


@pytest.fixture
def pool_id(cognito: Any) -> str:
    return str(cognito.create_user_pool(PoolName="hostile")["UserPool"]["Id"])


def no_error_logged(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]


# --- item 2: patterns cannot be made to backtrack ---------------------------------------------


def test_huge_password_in_confirm_forgot_password_is_refused_within_a_second(
    anonymous: Any, record_property: Any
) -> None:
    code, seconds = timed_refusal(
        anonymous.confirm_forgot_password,
        ClientId=CLIENT_ID,
        Username="alice",
        ConfirmationCode="123456",
        Password=HUGE_PASSWORD + " ",
    )
    record_property("seconds", seconds)
    print(f"ConfirmForgotPassword, {len(HUGE_PASSWORD)} characters: {seconds:.3f} s")
    assert code == "InvalidParameterException"
    assert seconds < FAST


def test_huge_passwords_in_change_password_are_refused_within_a_second(anonymous: Any) -> None:
    half = HUGE_PASSWORD[: len(HUGE_PASSWORD) // 2 - 200]
    code, seconds = timed_refusal(
        anonymous.change_password,
        AccessToken="eyJ" + "x" * 40,
        PreviousPassword=half + " ",
        ProposedPassword=half + "\n",
    )
    print(f"ChangePassword, 2 x {len(half)} characters: {seconds:.3f} s")
    assert code == "InvalidParameterException"
    assert seconds < FAST


def test_email_address_without_a_length_limit_is_refused_within_a_second(cognito: Any) -> None:
    # ReplyToEmailAddress has no maximum length: its pattern itself must not backtrack.
    code, seconds = timed_refusal(
        cognito.create_user_pool,
        PoolName="p",
        EmailConfiguration={"ReplyToEmailAddress": "@" * (MAX_BODY_BYTES - 500) + "\n"},
    )
    print(f"ReplyToEmailAddress, 1 MiB: {seconds:.3f} s")
    assert code == "InvalidParameterException"
    assert seconds < FAST


def test_verification_link_message_at_its_length_limit_is_refused_within_a_second(
    cognito: Any,
) -> None:
    code, seconds = timed_refusal(
        cognito.create_user_pool,
        PoolName="p",
        VerificationMessageTemplate={"EmailMessageByLink": ("{##" * 7000)[:20000]},
    )
    print(f"EmailMessageByLink, 20,000 characters: {seconds:.3f} s")
    assert code == "InvalidParameterException"
    assert seconds < FAST


def test_patterns_still_accept_what_cognito_accepts(cognito: Any) -> None:
    pool = cognito.create_user_pool(
        PoolName="p",
        EmailConfiguration={"ReplyToEmailAddress": "help@example.com"},
        VerificationMessageTemplate={"EmailMessageByLink": "Click {##here##} now"},
    )["UserPool"]
    assert pool["EmailConfiguration"]["ReplyToEmailAddress"] == "help@example.com"


# --- item 11: never a 500 ------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1000, 5000, 100_000])
def test_deeply_nested_json_is_a_serialization_error_without_a_traceback(
    wire_server: WireServer, caplog: pytest.LogCaptureFixture, depth: int
) -> None:
    body = b'{"AccessToken": ' + b"[" * depth + b"]" * depth + b"}"
    with caplog.at_level(logging.INFO):
        response = wire_server.post("GetUser", body)

    assert response.status_code == 400
    assert response.json() == {
        "__type": "SerializationException",
        "message": "The request body is nested too deeply.",
    }
    no_error_logged(caplog)


@pytest.mark.parametrize("precedence", [10**30, 2**63, 2**31])
def test_out_of_range_precedence_is_an_invalid_parameter(
    cognito: Any, pool_id: str, precedence: int, caplog: pytest.LogCaptureFixture
) -> None:
    cognito.create_group(UserPoolId=pool_id, GroupName="kept", Precedence=1)
    with caplog.at_level(logging.INFO):
        with pytest.raises(ClientError) as created:
            cognito.create_group(UserPoolId=pool_id, GroupName="big", Precedence=precedence)
        with pytest.raises(ClientError) as updated:
            cognito.update_group(UserPoolId=pool_id, GroupName="kept", Precedence=precedence)

    assert error_code(created) == error_code(updated) == "InvalidParameterException"
    assert "at 'precedence' failed to satisfy constraint" in str(created.value)
    groups = cognito.list_groups(UserPoolId=pool_id)["Groups"]
    assert [(g["GroupName"], g["Precedence"]) for g in groups] == [("kept", 1)]
    no_error_logged(caplog)


def test_largest_precedence_is_kept(cognito: Any, pool_id: str) -> None:
    group = cognito.create_group(UserPoolId=pool_id, GroupName="g", Precedence=2**31 - 1)
    assert group["Group"]["Precedence"] == 2**31 - 1


@pytest.mark.parametrize("key", ["9" * 30, "\u00b2", "\u0661"])
def test_forged_group_page_token_is_an_invalid_parameter(
    cognito: Any, pool_id: str, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    cognito.create_group(UserPoolId=pool_id, GroupName="g")
    with caplog.at_level(logging.INFO), pytest.raises(ClientError) as info:
        cognito.list_users_in_group(
            UserPoolId=pool_id, GroupName="g", NextToken=ids.encode_page_token(key)
        )
    assert error_code(info) == "InvalidParameterException"
    no_error_logged(caplog)


# --- the wire fuzz: any nesting, any number, anywhere ----------------------------------------

NUMBERS = st.integers(min_value=-(10**40), max_value=10**40) | st.sampled_from(
    [2**31, 2**31 - 1, -(2**31) - 1, 2**63, 2**63 - 1, -(2**63) - 1]
)


def nested(depth: int, leaf: Any) -> str:
    return "[" * depth + json.dumps(leaf) + "]" * depth


@settings(
    database=None,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    operation=st.sampled_from(["CreateGroup", "UpdateGroup", "ListGroups", "ListUsersInGroup"]),
    member=st.sampled_from(["Precedence", "Limit", "GroupName", "Description", "NextToken"]),
    depth=st.sampled_from([0, 0, 1, 50, 999, 1000, 3000]),
    number=NUMBERS,
)
def test_nested_json_and_huge_numbers_are_never_a_500(
    wire_server: WireServer,
    caplog: pytest.LogCaptureFixture,
    operation: str,
    member: str,
    depth: int,
    number: int,
) -> None:
    pool = wire_server.engine.call("CreateUserPool", {"PoolName": "fuzz"}, iam_principal="t")
    pool_id = pool["UserPool"]["Id"]
    body = {"UserPoolId": pool_id, "GroupName": "g"}
    text = json.dumps(body)[:-1] + f', "{member}": {nested(depth, number)}}}'
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = wire_server.post(operation, text.encode(), sign=True)

    assert response.status_code in (200, 400), response.text
    assert "Traceback" not in response.text
    no_error_logged(caplog)
