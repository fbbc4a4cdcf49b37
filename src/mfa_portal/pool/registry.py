"""Operation handlers: each Cognito operation is one small function marked with its name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from mfa_portal.cognito_api.service_model import service_model

if TYPE_CHECKING:
    from mfa_portal.pool.context import Context

Params = dict[str, Any]
Result = dict[str, Any]
Handler = Callable[["Context", Params], Result]

_MARK = "cognito_operation"


def operation(name: str) -> Callable[[Handler], Handler]:
    """Mark ``fn`` as the handler of Cognito operation ``name`` (checked against botocore).

    Marking changes nothing at import: the engine builds its table with ``handlers`` from the
    modules ``pool.operations`` lists.
    """
    if name not in service_model().operation_names:
        raise ValueError(f"{name} is not a cognito-idp operation")

    def mark(fn: Handler) -> Handler:
        setattr(fn, _MARK, name)
        return fn

    return mark


def handlers(modules: Iterable[ModuleType]) -> dict[str, Handler]:
    """The handlers defined in ``modules``, by operation name; a name handled twice is an error."""
    table: dict[str, Handler] = {}
    for module in modules:
        for value in vars(module).values():
            name = getattr(value, _MARK, None)
            if name is None or getattr(value, "__module__", None) != module.__name__:
                continue  # not a handler, or one imported from another module
            if name in table:
                raise ValueError(f"{name} registered twice")
            table[name] = value
    return table


def is_public(name: str) -> bool:
    """Operations the model marks ``smithy.api#noAuth`` are authorised by ClientId, token or Session."""
    op = service_model().operation_model(name)
    return "smithy.api#noAuth" in (getattr(op, "auth", None) or [])
