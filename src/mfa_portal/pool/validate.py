"""Input validation against botocore's service model, done once at dispatch.

Messages follow AWS's ``1 validation error detected: Value 'x' at 'field' failed to satisfy
constraint: ...`` wording and always name the field; values that are secrets are never echoed.
"""

from __future__ import annotations

from typing import Any

import regex
from botocore.model import Shape

from mfa_portal.cognito_api import errors, messages
from mfa_portal.cognito_api.service_model import service_model

# Where the live service's pattern differs from the one botocore ships. Cognito allows inner spaces in
# passwords and reports this pattern for a leading or trailing one.
_PATTERN_OVERRIDES = {"PasswordType": r"^[\S]+.*[\S]+$"}

_SENSITIVE_HINTS = (
    "Password",
    "SecretHash",
    "Code",
    "Token",
    "Session",
    "SECRET",
    "PASSWORD",
    "UserCode",
)


def validate_input(operation: str, params: Any) -> None:
    """Raise InvalidParameterException naming every problem in ``params`` (up to AWS's style)."""
    shape = service_model().operation_model(operation).input_shape
    problems: list[str] = []
    if not isinstance(params, dict):
        raise errors.error("SerializationException", messages.BODY_NOT_OBJECT)
    if shape is not None:
        _check(shape, params, "", problems)
    elif params:
        problems.append(f"{operation} takes no parameters")
    if problems:
        raise errors.InvalidParameterException(messages.validation_errors(problems))


def _field(path: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{path}.{member}" if path else member


def _shown(value: Any, path: str, sensitive: bool) -> str:
    if sensitive or any(h.lower() in path.lower() for h in _SENSITIVE_HINTS):
        return "***"
    text = str(value)
    return text if len(text) <= 64 else text[:61] + "..."


def _check(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    sensitive = bool(shape.serialization.get("sensitive") or shape.metadata.get("sensitive"))
    where = path or "request"
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"Value at '{where}' must be an object")
            return
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(
                    f"Value null at '{_field(path, name)}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for name, item in value.items():
            if name not in shape.members:
                problems.append(f"Unknown parameter '{_field(path, name)}'")
            elif item is not None:
                _check(shape.members[name], item, _field(path, name), problems)
        return
    if kind == "list":
        if not isinstance(value, list):
            problems.append(f"Value at '{where}' must be a list")
            return
        _check_length(
            len(value), shape, where, "Member must have length", problems, value, sensitive
        )
        for i, item in enumerate(value):
            _check(shape.member, item, f"{where}.{i + 1}.member", problems)
        return
    if kind == "map":
        if not isinstance(value, dict):
            problems.append(f"Value at '{where}' must be a map")
            return
        _check_length(
            len(value), shape, where, "Map value must have length", problems, value, sensitive
        )
        for key, item in value.items():
            _check(shape.key, key, f"{where}.key", problems)
            _check(shape.value, item, f"{where}.{key}", problems)
        return
    if kind == "string":
        if not isinstance(value, str):
            problems.append(f"Value at '{where}' must be a string")
            return
        enum = shape.enum
        shown = _shown(value, where, sensitive)
        if enum and value not in enum:
            problems.append(
                f"Value '{shown}' at '{where}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(enum)}]"
            )
            return
        _check_length(
            len(value), shape, where, "Member must have length", problems, value, sensitive
        )
        pattern = _PATTERN_OVERRIDES.get(shape.name, shape.metadata.get("pattern"))
        if pattern and not regex.fullmatch(pattern, value):
            problems.append(
                f"Value '{shown}' at '{where}' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {pattern}"
            )
        return
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"Value at '{where}' must be an integer")
            return
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and value < low:
            problems.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {low}"
            )
        if high is not None and value > high:
            problems.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {high}"
            )
        return
    if kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"Value at '{where}' must be a boolean")
        return
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            problems.append(f"Value at '{where}' must be a timestamp")
        return
    if kind == "blob" and not isinstance(value, str):
        problems.append(f"Value at '{where}' must be base64 text")


def _check_length(
    length: int,
    shape: Shape,
    where: str,
    wording: str,
    problems: list[str],
    value: Any,
    sensitive: bool,
) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    shown = _shown(value, where, sensitive)
    if low is not None and length < low:
        problems.append(
            f"Value '{shown}' at '{where}' failed to satisfy constraint: "
            f"{wording} greater than or equal to {low}"
        )
    if high is not None and length > high:
        problems.append(
            f"Value '{shown}' at '{where}' failed to satisfy constraint: "
            f"{wording} less than or equal to {high}"
        )
