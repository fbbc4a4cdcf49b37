"""Operation registry: each Cognito operation is one small handler registered under its name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mfa_portal.cognito_api.service_model import service_model

if TYPE_CHECKING:
    from mfa_portal.pool.context import Context

Params = dict[str, Any]
Result = dict[str, Any]
Handler = Callable[["Context", Params], Result]

HANDLERS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of Cognito operation ``name`` (checked against botocore)."""
    if name not in service_model().operation_names:
        raise ValueError(f"{name} is not a cognito-idp operation")

    def register(fn: Handler) -> Handler:
        if name in HANDLERS:
            raise ValueError(f"{name} registered twice")
        HANDLERS[name] = fn
        return fn

    return register


def is_public(name: str) -> bool:
    """Operations the model marks ``smithy.api#noAuth`` are authorised by ClientId, token or Session."""
    op = service_model().operation_model(name)
    return "smithy.api#noAuth" in (getattr(op, "auth", None) or [])
