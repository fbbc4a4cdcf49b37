"""Every operation the embedded pool answers: the handler modules, each named here.

No discovery by listing the package, so a stray module never answers calls and a missing one
fails loudly (``tests/unit/pool/test_registry.py`` checks every ops module is listed).
"""

from __future__ import annotations

import importlib

from mfa_portal.pool.registry import Handler, handlers

MODULES = (
    "attribute_ops",
    "auth_ops",
    "client_ops",
    "group_ops",
    "list_users_ops",
    "mfa_config_ops",
    "mfa_preference_ops",
    "recovery_ops",
    "signup_ops",
    "software_token_ops",
    "token_ops",
    "user_admin_ops",
    "user_pool_ops",
)


def all_handlers() -> dict[str, Handler]:
    """A fresh table (each engine owns its own) of every operation handler."""
    return handlers(importlib.import_module(f"mfa_portal.pool.ops.{name}") for name in MODULES)
