"""Cognito's exceptions: one class per error shape in botocore's model, with the wire name and status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mfa_portal.cognito_api import errors, generate_errors
from mfa_portal.cognito_api.service_model import service_model
from tests.support.cognito_errors import raises_cognito

WIRE_EXTRAS = {
    "UnknownOperationException",
    "SerializationException",
    "MissingAuthenticationTokenException",
    "InvalidSignatureException",
    "UnrecognizedClientException",
    "IncompleteSignatureException",
}


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
        errors.NoSuchCognitoError  # type: ignore[attr-defined]  # noqa: B018


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


def test_declared_classes_are_exactly_the_model_shapes_and_the_wire_extras() -> None:
    model = {shape.name: shape for shape in service_model().error_shapes}
    declared = {
        name: cls
        for name, cls in vars(errors).items()
        if isinstance(cls, type)
        and issubclass(cls, errors.CognitoError)
        and cls is not errors.CognitoError
    }
    assert set(declared) == set(model) | WIRE_EXTRAS
    assert errors.ERRORS == declared
    for name, shape in model.items():
        expected = int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
        if shape.metadata.get("fault") or name == "InternalErrorException":
            expected = 500
        assert declared[name].status == expected, name
        assert declared[name].code == name
    assert all(declared[name].status == 400 for name in WIRE_EXTRAS)


def test_errors_module_is_what_the_generator_writes_today() -> None:
    """A botocore upgrade that adds or drops an error shape fails here until errors.py is regenerated."""
    written = Path(errors.__file__).read_text(encoding="utf-8")
    assert written == generate_errors.render(generate_errors.shapes())


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    """Type-check ``source`` against a copy of errors.py (it imports nothing of the project).

    A copy, not the package: the shared venv's editable install may point at another checkout.
    """
    (tmp_path / "cognito_errors.py").write_text(Path(errors.__file__).read_text(encoding="utf-8"))
    (tmp_path / "snippet.py").write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "snippet.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )


_SNIPPET = """import cognito_errors as errors


def refuse() -> None:
    raise errors.{name}("Incorrect username or password.")
"""


def test_mypy_rejects_a_misspelt_error_name_and_accepts_the_right_one(tmp_path: Path) -> None:
    wrong = _mypy(tmp_path, _SNIPPET.format(name="NotAuthorisedException"))
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert 'Module has no attribute "NotAuthorisedException"' in wrong.stdout
    right = _mypy(tmp_path, _SNIPPET.format(name="NotAuthorizedException"))
    assert right.returncode == 0, right.stdout + right.stderr
