"""Check a response against botocore's output shape: what every botocore-based SDK will parse."""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from mfa_portal.cognito_api.service_model import service_model


def shape_problems(shape: Shape, value: Any, path: str = "$") -> list[str]:
    """Where ``value`` breaks botocore's ``shape``: required members, unknown members, types, enums.

    Shared helper (tests of other op modules import it): a response that passes is one every
    botocore-based SDK parses without surprises.
    """
    where = path
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{where}: expected object, got {type(value).__name__}"]
        found = [
            f"{where}.{m}: required member missing"
            for m in shape.required_members
            if value.get(m) is None
        ]
        for name, item in value.items():
            if name not in shape.members:
                found.append(f"{where}.{name}: not a member of {shape.name}")
            elif item is not None:
                found += shape_problems(shape.members[name], item, f"{path}.{name}")
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [f"{where}: expected list"]
        return [
            p
            for i, item in enumerate(value)
            for p in shape_problems(shape.member, item, f"{path}[{i}]")
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{where}: expected map"]
        return [p for k, v in value.items() for p in shape_problems(shape.value, v, f"{path}[{k}]")]
    expected: dict[str, tuple[type, ...]] = {
        "string": (str,),
        "integer": (int,),
        "long": (int,),
        "boolean": (bool,),
        "timestamp": (int, float),
        "double": (int, float),
        "float": (int, float),
        "blob": (bytes, str),
    }
    types = expected.get(kind, (object,))
    if not isinstance(value, types) or (kind != "boolean" and isinstance(value, bool)):
        return [f"{where}: expected {kind}, got {type(value).__name__}"]
    if kind == "string" and shape.enum and value not in shape.enum:
        return [f"{where}: {value!r} not in enum {shape.name}"]
    return []


def assert_output_shape(operation: str, response: dict[str, Any]) -> None:
    """Fail with every mismatch between ``response`` and ``operation``'s output shape."""
    shape = service_model().operation_model(operation).output_shape
    problems = [] if shape is None and response == {} else shape_problems(shape, response)
    assert problems == [], problems
