"""The operation registry: handlers registered by Cognito operation name, checked against botocore."""

from __future__ import annotations

import pytest

from mfa_portal.cognito_api.service_model import service_model
from mfa_portal.pool import registry
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.registry import HANDLERS, Params, Result, is_public, operation


def _handler(ctx: Context, p: Params) -> Result:
    return {}


@pytest.fixture
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, registry.Handler]:
    fresh: dict[str, registry.Handler] = {}
    monkeypatch.setattr(registry, "HANDLERS", fresh)
    return fresh


def test_register_by_operation_name(empty_registry: dict[str, registry.Handler]) -> None:
    returned = operation("AdminGetUser")(_handler)
    assert returned is _handler
    assert empty_registry == {"AdminGetUser": _handler}


def test_unknown_operation_name_is_refused_at_import_time() -> None:
    with pytest.raises(ValueError, match="AdminGetUsr is not a cognito-idp operation"):
        operation("AdminGetUsr")


def test_registering_twice_is_refused(empty_registry: dict[str, registry.Handler]) -> None:
    operation("AdminGetUser")(_handler)
    with pytest.raises(ValueError, match="registered twice"):
        operation("AdminGetUser")(_handler)


def test_every_registered_handler_is_a_model_operation(engine: Engine) -> None:
    assert HANDLERS  # the engine imported every ops module
    assert set(HANDLERS) <= set(service_model().operation_names)


@pytest.mark.parametrize(
    "name",
    [
        "InitiateAuth",
        "RespondToAuthChallenge",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "SetUserMFAPreference",
        "GetUser",
        "ChangePassword",
        "GlobalSignOut",
        "RevokeToken",
    ],
)
def test_token_and_session_operations_are_public(name: str) -> None:
    assert is_public(name)


@pytest.mark.parametrize(
    "name",
    [
        "AdminGetUser",
        "AdminCreateUser",
        "AdminInitiateAuth",
        "AdminDeleteSoftwareToken",
        "CreateUserPool",
        "ListUsers",
        "SetUserPoolMfaConfig",
        "GetUserPoolMfaConfig",
    ],
)
def test_admin_and_management_operations_need_iam(name: str) -> None:
    assert not is_public(name)
