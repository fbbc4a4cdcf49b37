"""Every message the embedded pool raises comes from the catalog in ``cognito_api.messages``.

A sentence written at a raise site could drift from the text the portal recognises; this walks the
pool's source and refuses a str literal or f-string as the message of any error it builds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mfa_portal.pool

POOL = Path(mfa_portal.pool.__file__).parent


def _is_catalog_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "messages"
    )


def _has_own_text(node: ast.AST) -> bool:
    """A str literal or f-string in ``node``, outside the arguments of a catalog function."""
    if _is_catalog_call(node):
        return False
    if isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    ):
        return True
    return any(_has_own_text(child) for child in ast.iter_child_nodes(node))


def _message_of(call: ast.Call) -> ast.AST | None:
    """The message argument of ``errors.X(msg)``, ``errors.error(code, msg)`` or ``_fail(code, msg)``."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id == "errors":
            index = 1 if func.attr == "error" else 0
            return call.args[index] if len(call.args) > index else None
    if isinstance(func, ast.Name) and func.id == "_fail" and len(call.args) > 1:
        return call.args[1]
    for keyword in call.keywords:
        if (
            keyword.arg == "failure"
        ):  # send_all(..., failure=...) becomes CodeDeliveryFailureException
            return keyword.value
    return None


def own_texts(root: Path) -> list[str]:
    """``file:line`` of every error message under ``root`` that is written in place."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                message = _message_of(node)
                if message is not None and _has_own_text(message):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_pool_error_writes_its_own_message() -> None:
    assert own_texts(POOL) == []


def test_the_walk_sees_the_raise_sites() -> None:
    """Guard against a walk that finds nothing: the pool builds errors in many places."""
    sites = [
        node
        for path in POOL.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and _message_of(node) is not None
    ]
    assert len(sites) > 150


def test_the_walk_recognises_a_literal_an_fstring_and_a_catalog_text(tmp_path: Path) -> None:
    (tmp_path / "handler.py").write_text(
        "def f(name: str) -> None:\n"
        '    raise errors.NotAuthorizedException("User is disabled.")\n'
        "def g(name: str) -> None:\n"
        '    raise errors.error("InvalidParameterException", f"Missing {name}")\n'
        "def h(name: str) -> None:\n"
        '    raise errors.InvalidParameterException(messages.missing_parameter("Session"))\n'
        "def i() -> None:\n"
        "    raise errors.NotAuthorizedException(messages.USER_DISABLED)\n",
        encoding="utf-8",
    )
    assert own_texts(tmp_path) == ["handler.py:2", "handler.py:4"]
