"""SigV4 over real HTTP: requests signed by botocore reach the server through uvicorn intact."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api import messages
from mfa_portal.pool.context import Context

if TYPE_CHECKING:
    from tests.support.wire import MakeWireServer, WireServer

TARGET = "AWSCognitoIdentityProviderService.ListUserPools"


@pytest.fixture
def principals(wire_server: WireServer, monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """ListUserPools answered by a stand-in that records the IAM principal of each call."""
    seen: list[str | None] = []

    def handler(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        seen.append(ctx.iam_principal)
        return {"UserPools": []}

    monkeypatch.setitem(wire_server.engine.handlers, "ListUserPools", handler)
    return seen


def signed_headers(
    server: WireServer, url: str, body: bytes, *, service: str = "cognito-idp"
) -> dict[str, str]:
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET},
    )
    creds = BotoCredentials(server.credentials.access_key_id, server.credentials.secret_access_key)
    SigV4Auth(creds, service, "eu-central-1").add_auth(request)
    return dict(request.headers.items())


def send(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(timeout=30) as http:
        return http.post(url, content=body, headers=headers)


def test_botocore_signed_request_is_accepted(
    wire_server: WireServer, principals: list[str | None]
) -> None:
    response = wire_server.post("ListUserPools", {"MaxResults": 5}, sign=True)

    assert response.status_code == 200, response.text
    assert principals == [wire_server.credentials.access_key_id]


@pytest.mark.parametrize("region", ["eu-west-3", "ap-northeast-1", "us-gov-west-1"])
def test_boto3_in_any_region_is_accepted(
    wire_server: WireServer, principals: list[str | None], region: str
) -> None:
    wire_server.client(region=region).list_user_pools(MaxResults=5)

    assert principals == [wire_server.credentials.access_key_id]


def test_body_changed_in_transit_is_refused(
    wire_server: WireServer, principals: list[str | None]
) -> None:
    url = wire_server.endpoint + "/"
    headers = signed_headers(wire_server, url, b'{"MaxResults": 5}')

    response = send(url, b'{"MaxResults": 60}', headers)

    assert response.json() == {
        "__type": "InvalidSignatureException",
        "message": messages.SIGNATURE_MISMATCH,
    }
    assert principals == []


def test_query_string_is_part_of_the_signature(
    wire_server: WireServer, principals: list[str | None]
) -> None:
    body = b'{"MaxResults": 5}'
    url = wire_server.endpoint + "/?b=2&a=1"
    headers = signed_headers(wire_server, url, body)

    assert send(url, body, headers).status_code == 200
    assert send(wire_server.endpoint + "/?a=1", body, headers).json()["__type"] == (
        "InvalidSignatureException"
    )
    assert len(principals) == 1


def test_signature_moved_to_another_operation_is_refused(
    wire_server: WireServer, principals: list[str | None]
) -> None:
    body = b'{"MaxResults": 5}'
    url = wire_server.endpoint + "/"
    headers = signed_headers(wire_server, url, body)
    headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.ListUsers"

    response = send(url, body, headers)

    assert response.json() == {
        "__type": "InvalidSignatureException",
        "message": messages.SIGNATURE_MISMATCH,
    }
    assert principals == []


def test_signature_for_another_service_is_refused(
    wire_server: WireServer, principals: list[str | None]
) -> None:
    body = b'{"MaxResults": 5}'
    url = wire_server.endpoint + "/"

    response = send(url, body, signed_headers(wire_server, url, body, service="sts"))

    assert response.json() == {
        "__type": "InvalidSignatureException",
        "message": "Credential should be scoped to correct service: 'cognito-idp'.",
    }
    assert principals == []


def test_signed_by_one_pool_is_refused_by_another(
    make_wire_server: MakeWireServer, principals: list[str | None], wire_server: WireServer
) -> None:
    other = make_wire_server()
    response = wire_server.post(
        "ListUserPools",
        {"MaxResults": 5},
        sign=True,
        sign_as=(other.credentials.access_key_id, other.credentials.secret_access_key),
    )

    assert response.json()["__type"] == "UnrecognizedClientException"
    assert principals == []


def test_public_operation_ignores_a_bad_signature(
    wire_server: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Public operations are authorised by their token, never by IAM (spec §13)."""
    monkeypatch.setitem(
        wire_server.engine.handlers,
        "GetUser",
        lambda ctx, p: {"Username": "u", "UserAttributes": []},
    )

    response = wire_server.post(
        "GetUser", {"AccessToken": "t"}, headers={"Authorization": "AWS4-HMAC-SHA256 garbage"}
    )

    assert response.status_code == 200


def test_signature_freshness_uses_wall_time_not_the_engine_clock(
    make_wire_server: MakeWireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pool on a fake clock (years away) still accepts boto3 signing with the real time."""
    server = make_wire_server(clock=FakeClock(1_000_000_000.0))  # 2001
    seen: list[float] = []

    def handler(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        seen.append(ctx.now)
        return {"UserPools": []}

    monkeypatch.setitem(server.engine.handlers, "ListUserPools", handler)
    server.client().list_user_pools(MaxResults=5)

    assert seen == [1_000_000_000.0]
