"""Cognito's exceptions: one class per error shape in botocore's model, with the wire name and status."""

from __future__ import annotations

import pytest

from mfa_portal.cognito_api import errors
from mfa_portal.cognito_api.service_model import service_model
from tests.support.cognito_errors import raises_cognito


def test_every_error_shape_of_the_model_has_a_class() -> None:
    names = {shape.name for shape in service_model().error_shapes}
    assert len(names) >= 57
    for name in names:
        cls = errors.ERRORS[name]
        assert issubclass(cls, errors.CognitoError)
        assert cls.__name__ == cls.code == name


def test_handlers_raise_errors_by_attribute_name() -> None:
    err = errors.NotAuthorizedException("Incorrect username or password.")
    assert isinstance(err, errors.CognitoError)
    assert err.code == "NotAuthorizedException"
    assert err.message == "Incorrect username or password."
    assert str(err) == "NotAuthorizedException: Incorrect username or password."
    assert errors.NotAuthorizedException is errors.ERRORS["NotAuthorizedException"]


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        errors.NoSuchCognitoError  # noqa: B018


@pytest.mark.parametrize(
    "name",
    [
        "NotAuthorizedException",
        "TooManyRequestsException",
        "InvalidParameterException",
        "UserNotFoundException",
        "CodeMismatchException",
        "LimitExceededException",
    ],
)
def test_client_errors_are_http_400_even_throttling(name: str) -> None:
    assert errors.ERRORS[name].status == 400  # spec §7.1: TooManyRequestsException is 400, not 429


def test_internal_error_is_http_500() -> None:
    assert errors.InternalErrorException("boom").status == 500
    assert errors.CognitoError().status == 400  # the base default


@pytest.mark.parametrize(
    "name",
    [
        "UnknownOperationException",
        "SerializationException",
        "MissingAuthenticationTokenException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "IncompleteSignatureException",
    ],
)
def test_wire_level_errors_exist_outside_the_model(name: str) -> None:
    err = errors.error(name, "m")
    assert type(err) is errors.ERRORS[name]
    assert err.code == name and err.status == 400


def test_error_by_name_builds_the_registered_class() -> None:
    err = errors.error("UserNotFoundException", "User does not exist.")
    assert isinstance(err, errors.UserNotFoundException)
    assert err.message == "User does not exist."


def test_error_with_an_unknown_name_keeps_the_name() -> None:
    err = errors.error("MadeUpException", "not here")
    assert isinstance(err, errors.CognitoError)
    assert err.code == "MadeUpException"
    assert err.status == 400
    assert "MadeUpException" not in errors.ERRORS  # not added to the catalogue


def test_distinct_errors_are_distinct_classes() -> None:
    err = errors.CodeMismatchException("x")
    assert not isinstance(err, errors.NotAuthorizedException)
    with raises_cognito("CodeMismatchException"):
        raise err
