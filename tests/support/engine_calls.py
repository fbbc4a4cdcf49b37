"""Calling the engine in unit tests: IAM calls whose responses are checked against the model."""

from __future__ import annotations

from typing import Any

from mfa_portal.pool.engine import Engine
from tests.support.shapes import assert_output_shape

IAM = "test"
SMS = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "ExternalId": "x"}


def call(engine: Engine, op: str, params: dict[str, Any]) -> dict[str, Any]:
    """Call an IAM operation and check its response against botocore's output shape."""
    response = engine.call(op, params, iam_principal=IAM)
    assert_output_shape(op, response)
    return response


def create_pool(engine: Engine, **params: Any) -> dict[str, Any]:
    return dict(call(engine, "CreateUserPool", {"PoolName": "portal", **params})["UserPool"])
