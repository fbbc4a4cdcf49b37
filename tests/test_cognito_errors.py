"""raises_cognito, the helper every test uses for Cognito errors, must fail when the error differs."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from mfa_portal.cognito_api.errors import error
from tests.support.cognito_errors import raises_cognito

NOT_FOUND = ("UserNotFoundException", "User does not exist.")


def client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "AdminGetUser")


@pytest.mark.parametrize("raised", [error(*NOT_FOUND), client_error(*NOT_FOUND)])
def test_the_code_and_message_of_either_kind_are_checked(raised: Exception) -> None:
    with raises_cognito(*NOT_FOUND) as caught:
        raise raised
    assert (caught.code, caught.message, caught.error) == (*NOT_FOUND, raised)
    with raises_cognito("UserNotFoundException", re.compile(r"does not exist")):
        raise raised
    with raises_cognito("UserNotFoundException"):
        raise raised


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NotAuthorizedException", None),
        ("UserNotFoundException", "User does not exist"),
        ("UserNotFoundException", re.compile(r"^exists")),
    ],
)
@pytest.mark.parametrize("raised", [error(*NOT_FOUND), client_error(*NOT_FOUND)])
def test_a_different_error_fails_the_test(
    raised: Exception, code: str, message: str | re.Pattern[str] | None
) -> None:
    with pytest.raises(AssertionError), raises_cognito(code, message):
        raise raised


def test_no_error_or_another_exception_fails_the_test() -> None:
    with pytest.raises(pytest.fail.Exception), raises_cognito("UserNotFoundException"):
        pass
    with pytest.raises(KeyError), raises_cognito("UserNotFoundException"):
        raise KeyError("not a Cognito error")
