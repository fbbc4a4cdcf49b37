"""The one seam between the portal (pages, console, CLI) and a user pool.

Everything above this module calls Cognito operations by name with Cognito's own request and
response shapes. The same call works against a boto3 client (Amazon Cognito, or any endpoint such as
the embedded pool's wire front) and against the in-process engine, and raises the same error type.
"""

from __future__ import annotations

from typing import Any, Protocol

from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError, ParamValidationError
from botocore.exceptions import ConnectionError as BotoConnectionError

from mfa_portal.cognito_api.errors import CognitoError, InternalErrorException, error

#: How long the portal waits for Cognito, and how often it asks again, before a page says that
#: sign-in is unavailable. boto3's defaults are 60 s to connect, 60 s to read and 5 attempts: an
#: endpoint that swallowed packets held a request, and the worker thread under it, for minutes.
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 10
ATTEMPTS = 3


class PoolUnreachable(InternalErrorException):
    """The user pool (Amazon Cognito, or a pool endpoint) could not be reached or did not answer in
    time. A Cognito error, so that a page which handles the pool's failures says "unavailable";
    where none does, the portal answers 503 (``web.store_outage``)."""


class CognitoClient(Protocol):
    """Anything that can perform a Cognito operation by name."""

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Run ``operation`` (e.g. ``"AdminGetUser"``) and return its response without metadata."""
        ...

    def supports(self, operation: str) -> bool:
        """Whether the backend offers ``operation`` (moto has no AdminDeleteSoftwareToken)."""
        ...


class BotoCognitoClient:
    """Calls Cognito through a boto3 ``cognito-idp`` client: real AWS, the wire front, or moto."""

    def __init__(self, boto_client: Any) -> None:
        self._boto = boto_client

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        method = getattr(self._boto, self._method_name(operation))
        try:
            response: dict[str, Any] = method(**params)
        except ClientError as exc:
            err = exc.response.get("Error", {})
            raise error(
                str(err.get("Code", "InternalErrorException")), str(err.get("Message", ""))
            ) from None
        except ParamValidationError as exc:  # botocore checks required members, types, lengths
            raise error("InvalidParameterException", _param_report(exc)) from None
        except NotImplementedError as exc:  # moto raises this for operations it lacks
            raise error("UnsupportedOperationException", str(exc) or operation) from None
        except (BotoConnectionError, HTTPClientError) as exc:  # after boto3's own retries
            raise PoolUnreachable(f"{operation}: {type(exc).__name__}: {exc}") from None
        response.pop("ResponseMetadata", None)
        return response

    def supports(self, operation: str) -> bool:
        return operation in self._boto.meta.service_model.operation_names

    @staticmethod
    def _method_name(operation: str) -> str:
        from botocore import xform_name

        return str(xform_name(operation))


def _param_report(exc: ParamValidationError) -> str:
    """botocore's report without the offending values (a password of the wrong type is still secret)."""
    lines = str(exc.kwargs.get("report", "")).splitlines()
    return "; ".join(line.split(", value:", 1)[0] for line in lines) or "Invalid parameters"


def client_config() -> Config:
    """boto3's configuration for the portal's calls to the pool (the limits above)."""
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "max_attempts": ATTEMPTS},
    )


__all__ = ["BotoCognitoClient", "CognitoClient", "CognitoError", "PoolUnreachable", "client_config"]
