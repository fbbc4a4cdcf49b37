"""Cognito's exceptions, one class per error shape in botocore's model.

Classes are generated the way botocore's ``errorfactory`` does, so the names can never drift from what
SDKs expect. Handlers raise them by name (``errors.NotAuthorizedException("...")``); the wire front turns
any of them into ``{"__type", "message"}`` in one place.
"""

from __future__ import annotations

from typing import Any

from mfa_portal.cognito_api.service_model import service_model


class CognitoError(Exception):
    """Base of every Cognito error: a wire name, a message and an HTTP status."""

    code: str = "InternalErrorException"
    status: int = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def _build() -> dict[str, type[CognitoError]]:
    built: dict[str, type[CognitoError]] = {}
    for shape in service_model().error_shapes:
        status = int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
        if shape.metadata.get("fault"):
            status = 500
        built[shape.name] = type(
            shape.name, (CognitoError,), {"code": shape.name, "status": status}
        )
    # Wire-level errors of the JSON protocol that are not in the service model.
    for extra in (
        "UnknownOperationException",
        "SerializationException",
        "MissingAuthenticationTokenException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "IncompleteSignatureException",
    ):
        built.setdefault(extra, type(extra, (CognitoError,), {"code": extra, "status": 400}))
    built["InternalErrorException"].status = 500
    return built


ERRORS: dict[str, type[CognitoError]] = _build()


def error(code: str, message: str) -> CognitoError:
    """Build the Cognito exception named ``code``; unknown names become a generic error of that name."""
    cls = ERRORS.get(code)
    if cls is None:
        cls = type(code, (CognitoError,), {"code": code})
    return cls(message)


def __getattr__(name: str) -> Any:
    """Let handlers write ``errors.NotAuthorizedException(...)``."""
    try:
        return ERRORS[name]
    except KeyError as exc:
        raise AttributeError(name) from exc
