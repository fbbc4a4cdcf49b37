"""Operation handlers: marked by Cognito operation name (checked against botocore), collected from the
modules ``pool.operations`` lists."""

from __future__ import annotations

import pkgutil
import types

import pytest

from mfa_portal.cognito_api.service_model import service_model
from mfa_portal.pool import operations, ops, registry
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.registry import Params, Result, handlers, is_public, operation


def _handler(ctx: Context, p: Params) -> Result:
    return {}


def _module(name: str, *handlers_: registry.Handler) -> types.ModuleType:
    module = types.ModuleType(name)
    for fn in handlers_:
        setattr(module, fn.__name__, fn)
    return module


def _defined_in(module_name: str) -> registry.Handler:
    def handler(ctx: Context, p: Params) -> Result:
        return {}

    handler.__module__ = module_name
    return handler


def test_marking_changes_nothing_until_the_table_is_built() -> None:
    fn = _defined_in("fake_ops")
    returned = operation("AdminGetUser")(fn)
    assert returned is fn
    assert handlers([_module("fake_ops", fn)]) == {"AdminGetUser": fn}
    assert handlers([]) == {}


def test_unknown_operation_name_is_refused_at_import_time() -> None:
    with pytest.raises(ValueError, match="AdminGetUsr is not a cognito-idp operation"):
        operation("AdminGetUsr")


def test_an_operation_handled_twice_is_refused() -> None:
    one = operation("AdminGetUser")(_defined_in("one_ops"))
    two = operation("AdminGetUser")(_defined_in("two_ops"))
    with pytest.raises(ValueError, match="AdminGetUser registered twice"):
        handlers([_module("one_ops", one), _module("two_ops", two)])


def test_a_handler_imported_into_another_module_counts_once() -> None:
    fn = operation("AdminGetUser")(_defined_in("home_ops"))
    assert handlers([_module("home_ops", fn), _module("other_ops", fn)]) == {"AdminGetUser": fn}


def test_every_ops_module_is_listed_and_every_handler_is_a_model_operation(engine: Engine) -> None:
    on_disk = {m.name for m in pkgutil.iter_modules(ops.__path__)}
    assert set(operations.MODULES) == on_disk
    assert engine.handlers
    assert set(engine.handlers) <= set(service_model().operation_names)
    assert engine.handlers is not operations.all_handlers()  # each engine owns its table


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
