"""The pool's password policy as one sentence for the new-password page.

Read with ``DescribeUserPool`` through the portal's Cognito client (the portal speaks only the
Cognito API), once per ``CACHE_SECONDS`` per app. Without permission to describe the pool (Amazon
Cognito without that IAM action) the sentence is simply left out.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from starlette.requests import Request

from mfa_portal.web.pool_info import describe_pool
from mfa_portal.web.portal import Portal, get_portal
from mfa_portal.web.strings import t

log = logging.getLogger("mfa_portal.web")

CACHE_SECONDS = 300.0
_RULES = (
    ("RequireUppercase", "newpw.policy.upper"),
    ("RequireLowercase", "newpw.policy.lower"),
    ("RequireNumbers", "newpw.policy.number"),
    ("RequireSymbols", "newpw.policy.symbol"),
)
_LOCK = threading.Lock()


def describe(policy: dict[str, Any]) -> str:
    """E.g. "At least 8 characters, with an uppercase letter, a lowercase letter and a number."."""
    length = int(policy.get("MinimumLength", 8))
    rules = [t(key) for field, key in _RULES if policy.get(field)]
    if not rules:
        return t("newpw.policy", length=length, with_rules="")
    listed = (
        rules[0]
        if len(rules) == 1
        else (t("newpw.policy.separator").join(rules[:-1]) + t("newpw.policy.and") + rules[-1])
    )
    return t("newpw.policy", length=length, with_rules=t("newpw.policy.with", rules=listed))


#: The rule each requirement checks, with the message key the forms show when it is broken.
_CHECKS = (
    ("RequireUppercase", str.isupper, "password.rule.upper"),
    ("RequireLowercase", str.islower, "password.rule.lower"),
    ("RequireNumbers", str.isdigit, "password.rule.number"),
)


def broken_rules(policy: dict[str, Any], password: str) -> list[str]:
    """Every rule of ``policy`` that ``password`` breaks, at once (Cognito names only the first)."""
    found = []
    if len(password) < int(policy.get("MinimumLength", 8)):
        found.append("password.rule.length")
    for field, check, key in _CHECKS:
        if policy.get(field) and not any(check(ch) for ch in password):
            found.append(key)
    if policy.get("RequireSymbols") and all(ch.isalnum() for ch in password):
        found.append("password.rule.symbol")
    return found


def _policy(portal: Portal) -> dict[str, Any] | None:
    """From the one cached ``DescribeUserPool`` the portal keeps (``pool_info``)."""
    pool = describe_pool(portal)
    policy = (pool.get("Policies") or {}).get("PasswordPolicy")
    return policy if isinstance(policy, dict) else None


def pool_policy(request: Request) -> dict[str, Any] | None:
    """The pool's PasswordPolicy, cached like the sentence (None: unknown, let Cognito judge)."""
    state = request.app.state
    now = time.monotonic()
    with _LOCK:
        cached: tuple[float, dict[str, Any] | None] | None = getattr(state, "password_rules", None)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
    policy = _policy(get_portal(request))
    with _LOCK:
        state.password_rules = (now, policy)
    return policy


def policy_sentence(request: Request) -> str | None:
    """The policy sentence for this app's pool (None: do not show one). The policy is cached on
    the app state, the sentence is not: it is worded in each request's language."""
    state = request.app.state
    now = time.monotonic()
    with _LOCK:
        cached: tuple[float, dict[str, Any] | None] | None = getattr(state, "password_policy", None)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return describe(cached[1]) if cached[1] is not None else None
    policy = _policy(get_portal(request))
    with _LOCK:
        state.password_policy = (now, policy)
    return describe(policy) if policy is not None else None


def unmet_rules(request: Request, password: str) -> list[str]:
    """Every rule of the pool's policy ``password`` breaks, checked here before Cognito is asked
    (Cognito names only the first); empty when all are met or the policy cannot be read."""
    policy = pool_policy(request)
    return broken_rules(policy, password) if policy is not None and password else []


def new_password_problems(
    request: Request, password: str, confirm: str, field: str = "password"
) -> tuple[dict[str, list[str]], list[str]]:
    """Every mistake in a new password visible without asking Cognito, per field, and the policy
    rules it breaks (all of them): what each new-password form shows before calling Cognito."""
    found: dict[str, list[str]] = {}
    rules: list[str] = []
    if not password:
        found[field] = ["newpw.missing"]
    else:
        rules = unmet_rules(request, password)
        if rules:
            found[field] = ["password.policy"]
        if password != confirm:
            found["confirm"] = ["newpw.mismatch"]
    return found, rules
