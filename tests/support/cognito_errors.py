"""The one way a test says "this Cognito error happened", whichever side raised it.

In-process calls raise ``mfa_portal.cognito_api.errors.CognitoError``; raw boto3 clients raise
botocore's ``ClientError``. Both name the error by its wire code and carry Cognito's message, which
is what a caller (and a user reading the page) depends on, so that is what is checked. Where the
kind matters (the seam must turn botocore's errors into ``CognitoError``), check ``caught.error``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.cognito_api.errors import CognitoError, error


@dataclass
class CaughtCognitoError:
    """What was raised, filled in when the ``with`` block ends: for checks beyond code and message."""

    code: str = ""
    message: str = ""
    status: int = 0  # the HTTP status Cognito answers with
    raised: Exception | None = None

    @property
    def error(self) -> Exception:
        assert self.raised is not None, "read only after the with block"
        return self.raised


@contextmanager
def raises_cognito(
    code: str, message: str | re.Pattern[str] | None = None
) -> Iterator[CaughtCognitoError]:
    """Expect the Cognito error ``code``; when given, exactly ``message`` (or a match of the regex)."""
    caught = CaughtCognitoError()
    with pytest.raises((CognitoError, ClientError)) as info:
        yield caught
    raised = info.value
    if isinstance(raised, ClientError):
        details = raised.response.get("Error", {})
        caught.code, caught.message = str(details.get("Code", "")), str(details.get("Message", ""))
        caught.status = int(raised.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    else:
        caught.code, caught.message, caught.status = raised.code, raised.message, raised.status
    caught.raised = raised
    assert caught.code == code, f"expected {code}, got {caught.code}: {caught.message}"
    if isinstance(message, re.Pattern):
        assert message.search(caught.message), f"{caught.message!r} does not match {message}"
    elif message is not None:
        assert caught.message == message


class Refusing:
    """The portal's seam, with one operation answering a chosen Cognito error."""

    def __init__(self, inner: CognitoClient, operation: str, code: str, message: str) -> None:
        self._inner, self._operation, self._error = inner, operation, error(code, message)

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        if operation == self._operation:
            raise self._error
        return self._inner.call(operation, **params)

    def supports(self, operation: str) -> bool:
        return self._inner.supports(operation)
