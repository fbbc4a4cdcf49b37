"""The embedded engine behind the ``CognitoClient`` seam, called in-process."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mfa_portal.pool.engine import Engine


class EngineCognitoClient:
    """Calls the embedded engine in-process, as a trusted IAM principal of the same deployment."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        return self._engine.call(operation, params, iam_principal="in-process")

    def supports(self, operation: str) -> bool:
        return self._engine.supports(operation)
