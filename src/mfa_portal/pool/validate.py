"""Input validation against botocore's service model, done once at dispatch.

Messages follow AWS's ``1 validation error detected: Value 'x' at 'field' failed to satisfy
constraint: ...`` wording and always name the field; values that are secrets are never echoed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import regex
from botocore.model import Shape

from mfa_portal.cognito_api import errors, messages
from mfa_portal.cognito_api.service_model import service_model

# Where the live service's pattern differs from the one botocore ships. Cognito allows inner spaces in
# passwords and reports this pattern for a leading or trailing one.
_PATTERN_OVERRIDES = {"PasswordType": r"^[\S]+.*[\S]+$"}

# Model patterns that backtrack quadratically on hostile input (measured: 20,000 characters took
# 10-13 s each), replaced *for matching only* by equivalent patterns that run in linear time; messages
# still report the model's pattern. tests/unit/pool/test_validate.py checks each pair agrees.
_L = r"\p{L}\p{M}\p{S}\p{N}\p{P}"
_LINEAR = {
    # ^[\S]+.*[\S]+$ : at least two characters, no newline, no whitespace at either end.
    # (possessive and a look-behind: `\S.*\S` still backtracked for minutes on 1 MB of "a ").
    "PasswordType": r"\S[^\n]++(?<=\S)",
    # [A]+@[A]+ where A contains '@': all of A, with an '@' that is neither first nor last.
    "EmailAddressType": rf"(?=[{_L}]+\Z)[{_L}]+@[{_L}]+",
    # A*\{##A*##\}A* : all of A, and "{##" before a later "##}" (the first "{##" is the best one).
    "EmailVerificationMessageByLinkType": (
        rf"(?=[{_L}\s*]*\Z)(?>(?s:.)*?\{{##)(?s:.)*##\}}(?s:.)*"
    ),
}
# AWS's integer is 32-bit and its long 64-bit: the bound where the model sets none, so that no
# number reaches SQLite (64-bit) or a handler out of range.
_INTEGER_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
# Bounds the model leaves open on members a caller without credentials can fill. Real tokens are a
# few KB (the pool's own are under 2 KB), a pool has at most 20 standard and 50 custom attributes,
# and the sign-in maps hold a handful of keys: past these bounds a request is refused before its
# items are looked at, so its cost does not grow with its size (docs/compatibility.md lists them).
MAX_TOKEN_CHARS = 16 * 1024
MAX_ATTRIBUTES = 100
MAX_SIGN_IN_PARAMETERS = 64
MAX_CLIENT_METADATA = 256
_LENGTH_LIMITS = {
    "TokenModelType": MAX_TOKEN_CHARS,
    "AttributeListType": MAX_ATTRIBUTES,
    "AttributeNameListType": MAX_ATTRIBUTES,
    "AuthParametersType": MAX_SIGN_IN_PARAMETERS,
    "ChallengeResponsesType": MAX_SIGN_IN_PARAMETERS,
    "ClientMetadataType": MAX_CLIENT_METADATA,
}
# A token too long to be one is answered as Cognito answers any token it cannot use, before the
# length rule above and before any decode (GetUser runs on the event loop).
_OVERSIZED_TOKEN = {
    "AccessToken": messages.ACCESS_TOKEN_INVALID,
    "RefreshToken": messages.REFRESH_TOKEN_INVALID,
}
# Unknown members named in a refusal; the rest are counted.
MAX_UNKNOWN_NAMED = 3
# Every pattern check of one request shares this budget, a bound for any pattern not listed above.
PATTERN_BUDGET_SECONDS = 0.25

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


# One character class repeated (``[A-Za-z0-9-_=.]+``, ``[\p{L}...]+``): linear in any engine, so
# matched without the per-request time budget, whose bookkeeping costs more than the match itself.
_ONE_CLASS = re.compile(r"\^?\[(?:[^\]\\]|\\.)+\][+*]\$?")


@dataclass(frozen=True)
class _Matcher:
    shown: str  # the pattern messages report
    pattern: regex.Pattern[str]
    linear: re.Pattern[str] | regex.Pattern[str] | None  # set when it needs no budget

    def matches(self, value: str, budget: _Budget) -> bool:
        if self.linear is not None:
            return self.linear.fullmatch(value) is not None
        return budget.matches(self.pattern, value)


@cache
def _pattern(shape_name: str, model_pattern: str | None) -> _Matcher | None:
    """The reported pattern and its compiled (linear where needed) matcher, built once per shape."""
    shown = _PATTERN_OVERRIDES.get(shape_name, model_pattern)
    if not shown:
        return None
    matched = _LINEAR.get(shape_name, shown)
    compiled = regex.compile(matched)
    linear: re.Pattern[str] | regex.Pattern[str] | None = None
    if _ONE_CLASS.fullmatch(matched):  # the standard library's engine where it can (faster)
        linear = compiled if "\\p" in matched else re.compile(matched)
    return _Matcher(shown, compiled, linear)


class _Budget:
    """The time left for pattern checks in one request (the ``regex`` module enforces it)."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + PATTERN_BUDGET_SECONDS

    def matches(self, pattern: regex.Pattern[str], value: str) -> bool:
        left = self.deadline - time.monotonic()
        if left <= 0:
            return False
        try:
            return pattern.fullmatch(value, timeout=left) is not None
        except TimeoutError:  # too costly to decide: refused like a mismatch
            return False


@dataclass(eq=False)
class _Rule:
    """What one shape of the model allows, read from botocore once (its ``Shape`` properties are
    recomputed on every access): the checks of a request then only read these fields."""

    kind: str
    sensitive: bool
    low: int | None = None  # length (string, list, map) or value (integer, long) bounds
    high: int | None = None
    enum: frozenset[str] = frozenset()
    enum_text: str = ""
    pattern: _Matcher | None = None
    required: tuple[str, ...] = ()
    members: dict[str, _Rule] = field(default_factory=dict)
    item: _Rule | None = None  # a list's members
    key: _Rule | None = None  # a map's keys and values
    value: _Rule | None = None


def _compile(shape: Shape, memo: dict[Shape, _Rule]) -> _Rule:
    """The rule for ``shape`` and everything inside it; a shape met again (also a recursive one)
    reuses its rule from ``memo``. Rules are complete before anyone else sees them."""
    found = memo.get(shape)
    if found is not None:
        return found
    kind = shape.type_name
    meta = shape.metadata
    rule = _Rule(kind, bool(shape.serialization.get("sensitive") or meta.get("sensitive")))
    memo[shape] = rule  # before the members, which may lead back here
    if kind in _INTEGER_RANGE:
        floor, ceiling = _INTEGER_RANGE[kind]
        rule.low, rule.high = (
            max(floor, meta.get("min", floor)),
            min(ceiling, meta.get("max", ceiling)),
        )
    else:
        rule.low, rule.high = meta.get("min"), meta.get("max", _LENGTH_LIMITS.get(shape.name))
    if kind == "structure":
        rule.required = tuple(shape.required_members)
        rule.members = {name: _compile(member, memo) for name, member in shape.members.items()}
    elif kind == "list":
        rule.item = _compile(shape.member, memo)
    elif kind == "map":
        rule.key, rule.value = _compile(shape.key, memo), _compile(shape.value, memo)
    elif kind == "string":
        rule.enum = frozenset(shape.enum or ())
        rule.enum_text = ", ".join(shape.enum or ())
        rule.pattern = _pattern(shape.name, meta.get("pattern"))
    return rule


@cache
def _input_rule(operation: str) -> _Rule | None:
    """The operation's input rule, compiled once (botocore's lookup guards a cache per call)."""
    shape: Shape | None = service_model().operation_model(operation).input_shape
    return None if shape is None else _compile(shape, {})


@cache
def _token_members(operation: str) -> tuple[tuple[str, str], ...]:
    """The operation's top-level token members that ``_OVERSIZED_TOKEN`` answers, with the answer."""
    rule = _input_rule(operation)
    members = {} if rule is None else rule.members
    return tuple(
        (name, text)
        for name, text in _OVERSIZED_TOKEN.items()
        if name in members and members[name].high == MAX_TOKEN_CHARS
    )


def validate_input(operation: str, params: Any) -> None:
    """Raise InvalidParameterException naming every problem in ``params`` (up to AWS's style).

    A member sent as ``null`` is removed from ``params``, as AWS's JSON protocol treats it as absent,
    so no handler meets a ``None`` where the model promises a value."""
    rule = _input_rule(operation)
    problems: list[str] = []
    if not isinstance(params, dict):
        raise errors.error("SerializationException", messages.BODY_NOT_OBJECT)
    for name, text in _token_members(operation):
        token = params.get(name)
        if isinstance(token, str) and len(token) > MAX_TOKEN_CHARS:
            raise errors.NotAuthorizedException(text)
    if rule is not None:
        _check(rule, params, "", problems, _Budget())
    elif params:
        problems.append(f"{operation} takes no parameters")
    if problems:
        raise errors.InvalidParameterException(messages.validation_errors(problems))


def _field(path: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{path}.{member}" if path else member


def _shown(value: Any, path: str, sensitive: bool) -> str:
    """How a refused value appears in its message (only built for a message)."""
    if sensitive or any(h.lower() in path.lower() for h in _SENSITIVE_HINTS):
        return "***"
    if isinstance(value, (list, dict)) and len(value) > 8:  # not 100,000 items spelled out
        return f"[{len(value)} items]"
    text = str(value)
    return text if len(text) <= 64 else text[:61] + "..."


def _check(rule: _Rule, value: Any, path: str, problems: list[str], budget: _Budget) -> None:
    kind = rule.kind
    where = path or "request"
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"Value at '{where}' must be an object")
            return
        if None in value.values():
            for name in [name for name, item in value.items() if item is None]:
                del value[name]
        for name in rule.required:
            if name not in value:
                problems.append(
                    f"Value null at '{_field(path, name)}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        # Walk the model's members, not the request's: a request's many unknown keys cost one
        # count, and only the first few are named.
        known = 0
        for name, member in rule.members.items():
            item = value.get(name)
            if item is not None:
                known += 1
                _check(member, item, _field(path, name), problems, budget)
        if known < len(value):
            _unknown(rule, value, len(value) - known, path, problems)
        return
    if kind == "string":
        if not isinstance(value, str):
            problems.append(f"Value at '{where}' must be a string")
            return
        if rule.enum and value not in rule.enum:
            problems.append(
                f"Value '{_shown(value, where, rule.sensitive)}' at '{where}' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{rule.enum_text}]"
            )
            return
        if not _check_length(len(value), rule, where, "Member must have length", problems, value):
            return  # the first failed constraint is the answer; no pattern run on a long value
        pattern = rule.pattern
        if pattern and not pattern.matches(value, budget):
            problems.append(
                f"Value '{_shown(value, where, rule.sensitive)}' at '{where}' failed to satisfy "
                f"constraint: Member must satisfy regular expression pattern: {pattern.shown}"
            )
        return
    if kind == "list":
        if not isinstance(value, list):
            problems.append(f"Value at '{where}' must be a list")
            return
        if not _check_length(len(value), rule, where, "Member must have length", problems, value):
            return  # too many items: none of them is looked at
        assert rule.item is not None
        for i, item in enumerate(value):
            _check(rule.item, item, f"{where}.{i + 1}.member", problems, budget)
        return
    if kind == "map":
        if not isinstance(value, dict):
            problems.append(f"Value at '{where}' must be a map")
            return
        if not _check_length(
            len(value), rule, where, "Map value must have length", problems, value
        ):
            return
        assert rule.key is not None and rule.value is not None
        for key, item in value.items():
            _check(rule.key, key, f"{where}.key", problems, budget)
            _check(rule.value, item, f"{where}.{key}", problems, budget)
        return
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"Value at '{where}' must be an integer")
            return
        if rule.low is not None and value < rule.low:
            problems.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {rule.low}"
            )
        elif rule.high is not None and value > rule.high:
            problems.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {rule.high}"
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


def _unknown(
    rule: _Rule, value: dict[str, Any], count: int, path: str, problems: list[str]
) -> None:
    """Name the first ``MAX_UNKNOWN_NAMED`` of ``count`` members the model does not know."""
    named = 0
    for name in value:
        if name not in rule.members:
            problems.append(f"Unknown parameter '{_field(path, name)}'")
            named += 1
            if named == MAX_UNKNOWN_NAMED:
                break
    if count > named:
        problems.append(f"{count - named} more unknown parameters at '{path or 'request'}'")


def _check_length(
    length: int, rule: _Rule, where: str, wording: str, problems: list[str], value: Any
) -> bool:
    """Add a problem when ``length`` is out of the rule's range; True when it is within."""
    low, high = rule.low, rule.high
    if low is not None and length < low:
        problems.append(
            f"Value '{_shown(value, where, rule.sensitive)}' at '{where}' failed to satisfy "
            f"constraint: {wording} greater than or equal to {low}"
        )
        return False
    if high is not None and length > high:
        problems.append(
            f"Value '{_shown(value, where, rule.sensitive)}' at '{where}' failed to satisfy "
            f"constraint: {wording} less than or equal to {high}"
        )
        return False
    return True
