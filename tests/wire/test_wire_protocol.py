"""The wire front over real HTTP: JSON 1.1 dispatch, authorisation, error shape, JWKS, mounting.

Handlers are replaced for a test with ``monkeypatch.setitem(<engine>.handlers, ...)`` so these tests pin the
protocol, not the behaviour of operations other modules own.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from botocore.exceptions import ClientError
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import offload
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import Pool, save_pool
from mfa_portal.pool.wire import WireApp, WireMount, request_id_v4
from tests.support.cognito_errors import raises_cognito

if TYPE_CHECKING:
    from tests.support.wire import MakeWireServer, WireServer

POOL_ID = "us-east-1_Wire1test"


class Recorder:
    """A stand-in handler that remembers how the engine called it."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.result = result
        self.calls: list[tuple[dict[str, Any], str | None, str]] = []

    def __call__(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((params, ctx.iam_principal, ctx.source_ip))
        return self.result


@pytest.fixture
def list_pools(wire_server: WireServer, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """An IAM operation (ListUserPools) answered by a recorder."""
    recorder = Recorder({"UserPools": [{"Id": POOL_ID, "Name": "wire"}]})
    monkeypatch.setitem(wire_server.engine.handlers, "ListUserPools", recorder)
    return recorder


@pytest.fixture
def get_user(wire_server: WireServer, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """A public operation (GetUser) answered by a recorder."""
    recorder = Recorder({"Username": "alice", "UserAttributes": []})
    monkeypatch.setitem(wire_server.engine.handlers, "GetUser", recorder)
    return recorder


def raise_from_handler(server: WireServer, monkeypatch: pytest.MonkeyPatch, exc: Exception) -> None:
    def handler(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        raise exc

    monkeypatch.setitem(server.engine.handlers, "ListUserPools", handler)


# --- authorisation -----------------------------------------------------------------------------


def test_signed_iam_call_reaches_the_handler_as_the_access_key(
    wire_server: WireServer, cognito: Any, list_pools: Recorder
) -> None:
    response = cognito.list_user_pools(MaxResults=10)

    assert response["UserPools"] == [{"Id": POOL_ID, "Name": "wire"}]
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == (
        "application/x-amz-json-1.1"
    )
    assert list_pools.calls == [
        ({"MaxResults": 10}, wire_server.credentials.access_key_id, "127.0.0.1")
    ]


def test_unsigned_iam_call_is_refused(wire_server: WireServer, list_pools: Recorder) -> None:
    missing = ("MissingAuthenticationTokenException", "Missing Authentication Token")
    with raises_cognito(*missing) as caught:
        wire_server.client(signed=False).list_user_pools(MaxResults=10)
    assert caught.status == 400
    assert list_pools.calls == []


def test_unknown_access_key_is_refused(wire_server: WireServer, list_pools: Recorder) -> None:
    stranger = wire_server.client(access_key_id="AKIAXXXXXXXXXXXXXXXX")
    invalid = "The security token included in the request is invalid."
    with raises_cognito("UnrecognizedClientException", invalid):
        stranger.list_user_pools(MaxResults=10)
    assert list_pools.calls == []


def test_wrong_secret_is_refused(wire_server: WireServer, list_pools: Recorder) -> None:
    forger = wire_server.client(secret_access_key="x" * 40)
    with raises_cognito("InvalidSignatureException", messages.SIGNATURE_MISMATCH) as caught:
        forger.list_user_pools(MaxResults=10)
    assert isinstance(caught.error, ClientError)
    assert wire_server.credentials.secret_access_key not in json.dumps(caught.error.response)
    assert list_pools.calls == []


@pytest.mark.parametrize(
    ("offset", "prefix"),
    [(timedelta(minutes=-6), "Signature expired: "), (timedelta(minutes=6), "Signature not yet")],
)
def test_stale_or_future_signature_is_refused(
    wire_server: WireServer,
    list_pools: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    offset: timedelta,
    prefix: str,
) -> None:
    skewed = datetime.now(UTC).replace(tzinfo=None) + offset
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: skewed)
    with raises_cognito("InvalidSignatureException", re.compile("^" + re.escape(prefix))):
        wire_server.client().list_user_pools(MaxResults=10)
    assert list_pools.calls == []


def test_slightly_skewed_signature_is_accepted(
    wire_server: WireServer, list_pools: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    skewed = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=4)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: skewed)

    assert wire_server.client().list_user_pools(MaxResults=10)["UserPools"]


def test_public_operation_needs_no_signature(wire_server: WireServer, get_user: Recorder) -> None:
    response = wire_server.client(signed=False).get_user(AccessToken="opaque-token")

    assert response["Username"] == "alice"
    assert get_user.calls == [({"AccessToken": "opaque-token"}, None, "127.0.0.1")]


def test_public_operation_ignores_caller_credentials(cognito: Any, get_user: Recorder) -> None:
    """A signed client still reaches a public operation without an IAM principal."""
    cognito.get_user(AccessToken="opaque-token")

    assert get_user.calls[0][1] is None


# --- protocol errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        None,
        "AWSCognitoIdentityProviderService.NoSuchOperation",
        "SomeOtherService.ListUserPools",
        "AWSCognitoIdentityProviderService.",
        "garbage",
    ],
)
def test_missing_or_unknown_target_is_unknown_operation(
    wire_server: WireServer, target: str | None
) -> None:
    headers = {} if target is None else {"X-Amz-Target": target}
    response = wire_server.post(None, b"{}", headers=headers)

    assert response.status_code == 400
    assert response.json()["__type"] == "UnknownOperationException"
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "The request body is not valid JSON."),
        (b'["a", "list"]', "The request body must be a JSON object."),
        (b'"text"', "The request body must be a JSON object."),
        (b"\xff\xfe{}", "The request body is not valid JSON."),
        (b'{"AccessToken": NaN}', "The request body is not valid JSON."),
    ],
)
def test_malformed_body_is_a_serialization_error(
    wire_server: WireServer, get_user: Recorder, body: bytes, message: str
) -> None:
    response = wire_server.post("GetUser", body)

    assert response.status_code == 400
    assert response.json() == {"__type": "SerializationException", "message": message}
    assert get_user.calls == []


def test_malformed_body_on_a_signed_iam_call(wire_server: WireServer, list_pools: Recorder) -> None:
    response = wire_server.post("ListUserPools", b"{oops", sign=True)

    assert response.status_code == 400
    assert response.json()["__type"] == "SerializationException"
    assert list_pools.calls == []


def test_unsupported_content_type_is_refused(wire_server: WireServer, get_user: Recorder) -> None:
    response = wire_server.post(
        "GetUser", b'{"AccessToken": "t"}', headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 400
    assert response.json()["__type"] == "SerializationException"
    assert get_user.calls == []


@pytest.mark.parametrize(
    "content_type", ["application/x-amz-json-1.0", "application/json; charset=utf-8"]
)
def test_other_json_content_types_are_accepted(
    wire_server: WireServer, get_user: Recorder, content_type: str
) -> None:
    response = wire_server.post(
        "GetUser", b'{"AccessToken": "t"}', headers={"Content-Type": content_type}
    )

    assert response.status_code == 200
    assert response.json()["Username"] == "alice"


def test_oversized_body_is_refused(wire_server: WireServer, get_user: Recorder) -> None:
    response = wire_server.post("GetUser", b'{"AccessToken": "' + b"a" * (1024 * 1024) + b'"}')

    assert response.status_code == 400
    assert response.json()["__type"] == "SerializationException"
    assert get_user.calls == []


def test_invalid_input_is_an_invalid_parameter_error(wire_server: WireServer) -> None:
    response = wire_server.post("ListUserPools", {"MaxResults": "ten"}, sign=True)

    assert response.status_code == 400
    assert response.json()["__type"] == "InvalidParameterException"
    assert "maxResults" in response.json()["message"]


# --- the error wire shape ----------------------------------------------------------------------


def test_cognito_error_has_the_aws_json_shape(
    wire_server: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    raise_from_handler(
        wire_server, monkeypatch, errors.NotAuthorizedException("Incorrect username or password.")
    )
    response = wire_server.post("ListUserPools", {"MaxResults": 10}, sign=True)

    assert response.status_code == 400
    assert response.json() == {
        "__type": "NotAuthorizedException",
        "message": "Incorrect username or password.",
    }
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-ErrorType"] == "NotAuthorizedException"
    assert len(response.headers["x-amzn-RequestId"]) == 36


def test_botocore_parses_a_cognito_error_into_its_modelled_exception(
    cognito: Any, wire_server: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    raise_from_handler(
        wire_server, monkeypatch, errors.TooManyRequestsException("Too many requests.")
    )

    with raises_cognito("TooManyRequestsException", "Too many requests.") as caught:
        cognito.list_user_pools(MaxResults=10)
    assert isinstance(caught.error, cognito.exceptions.TooManyRequestsException)
    meta = caught.error.response["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 400  # Cognito sends 400, not 429 (spec §7.1)
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]


def test_unexpected_exception_is_a_generic_500(
    cognito: Any,
    wire_server: WireServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    raise_from_handler(wire_server, monkeypatch, RuntimeError("db password is hunter2"))

    with caplog.at_level(logging.ERROR, logger="mfa_portal.pool.wire"):
        with raises_cognito("InternalErrorException", "An internal error occurred.") as caught:
            cognito.list_user_pools(MaxResults=10)
    assert caught.status == 500 and isinstance(caught.error, ClientError)
    assert "hunter2" not in json.dumps(caught.error.response)
    assert "Traceback" not in json.dumps(caught.error.response)
    logged = [r for r in caplog.records if r.name == "mfa_portal.pool.wire"]
    assert logged and logged[0].exc_info is not None  # the cause is in the log, not the reply


def test_void_operation_success_is_an_empty_object(
    wire_server: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(wire_server.engine.handlers, "GlobalSignOut", Recorder({}))
    response = wire_server.post("GlobalSignOut", {"AccessToken": "t"})

    assert response.status_code == 200
    assert response.json() == {}
    assert response.headers["content-type"] == "application/x-amz-json-1.1"


# --- discovery routes --------------------------------------------------------------------------


def add_pool(wire_server: WireServer, pool_id: str = POOL_ID) -> None:
    with wire_server.engine.db.transaction() as conn:
        save_pool(conn, Pool(pool_id, "wire", {}, {"MfaConfiguration": "OFF"}, 0.0, 0.0))


def test_jwks_serves_the_signing_keys_of_a_known_pool(wire_server: WireServer) -> None:
    add_pool(wire_server)
    response = wire_server.get(f"/{POOL_ID}/.well-known/jwks.json")

    assert response.status_code == 200
    assert response.json() == wire_server.engine.signer.jwks()
    assert {key["kty"] for key in response.json()["keys"]} == {"RSA"}


def test_openid_configuration_names_this_endpoint_as_issuer(wire_server: WireServer) -> None:
    add_pool(wire_server)
    response = wire_server.get(f"/{POOL_ID}/.well-known/openid-configuration")

    assert response.status_code == 200
    assert response.json()["issuer"] == f"{wire_server.endpoint}/{POOL_ID}"
    jwks_uri = response.json()["jwks_uri"]
    assert jwks_uri == f"{wire_server.endpoint}/{POOL_ID}/.well-known/jwks.json"


@pytest.mark.parametrize("pool_id", ["us-east-1_Missing1", "not a pool id", "x" * 300])
@pytest.mark.parametrize("document", ["jwks.json", "openid-configuration"])
def test_discovery_of_an_unknown_pool_is_404(
    wire_server: WireServer, pool_id: str, document: str
) -> None:
    response = wire_server.get(f"/{pool_id}/.well-known/{document}")

    assert response.status_code == 404
    assert response.json() == {"message": "User pool does not exist."}


def test_root_get_names_the_service(wire_server: WireServer) -> None:
    response = wire_server.get("/")

    assert response.status_code == 200
    assert "Cognito" in response.json()["service"]


# --- mounted under /cognito, as the portal does ------------------------------------------------


def portal_like(wire: WireApp) -> ASGIApp:
    async def home(request: Any) -> PlainTextResponse:
        return PlainTextResponse("portal")

    return Starlette(routes=[Route("/", home), WireMount("/cognito", app=wire)])


@pytest.mark.parametrize("suffix", ["", "/"])
def test_sigv4_works_through_a_mount(
    make_wire_server: MakeWireServer, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    server = make_wire_server(wrap=portal_like, path="/cognito")
    recorder = Recorder({"UserPools": []})
    monkeypatch.setitem(server.engine.handlers, "ListUserPools", recorder)

    client = server.client(endpoint=server.endpoint + suffix)
    assert client.list_user_pools(MaxResults=10)["UserPools"] == []
    assert recorder.calls[0][1] == server.credentials.access_key_id
    assert server.get("/").text == "portal"


def test_signature_for_the_root_path_fails_under_the_mount(
    make_wire_server: MakeWireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mount prefix is part of what is signed: a request signed for ``/`` cannot be moved."""
    server = make_wire_server(wrap=portal_like, path="/cognito")
    recorder = Recorder({"UserPools": []})
    monkeypatch.setitem(server.engine.handlers, "ListUserPools", recorder)
    body = b'{"MaxResults": 10}'
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
    }
    request = AWSRequest(method="POST", url=server.base_url + "/", data=body, headers=headers)
    creds = server.credentials
    SigV4Auth(
        BotoCredentials(creds.access_key_id, creds.secret_access_key), "cognito-idp", "us-east-1"
    ).add_auth(request)

    moved = server.post(None, body, path="/cognito", headers=dict(request.headers.items()))

    assert moved.status_code == 400
    assert moved.json() == {
        "__type": "InvalidSignatureException",
        "message": messages.SIGNATURE_MISMATCH,
    }
    assert recorder.calls == []


def test_discovery_routes_through_a_mount(make_wire_server: MakeWireServer) -> None:
    server = make_wire_server(wrap=portal_like, path="/cognito")
    add_pool(server)

    config = server.get(f"/cognito/{POOL_ID}/.well-known/openid-configuration").json()
    assert config["issuer"] == f"{server.base_url}/cognito/{POOL_ID}"
    assert server.get(f"/cognito/{POOL_ID}/.well-known/jwks.json").status_code == 200


def test_a_pool_created_over_the_wire_publishes_its_discovery_documents(
    wire_server: WireServer, cognito: Any
) -> None:
    pool_id = cognito.create_user_pool(PoolName="wire-e2e")["UserPool"]["Id"]

    config = wire_server.get(f"/{pool_id}/.well-known/openid-configuration").json()
    jwks = wire_server.get(f"/{pool_id}/.well-known/jwks.json").json()

    assert config["issuer"] == f"{wire_server.endpoint}/{pool_id}"
    assert len(jwks["keys"]) == 2


# --- where calls run ---------------------------------------------------------------------------


def test_only_getuser_runs_on_the_event_loop_and_the_rest_on_worker_threads(
    wire_server: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GetUser (three keyed reads of a local SQLite file) skips the hop to a worker thread; a call
    that may scan, hash or wait (AdminGetUser, ListUserPools …) never blocks the event loop."""
    threads: dict[str, str] = {}

    def recording(name: str, answer: dict[str, Any]) -> Any:
        def handler(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
            threads[name] = threading.current_thread().name
            return answer

        return handler

    handlers = wire_server.engine.handlers
    monkeypatch.setitem(
        handlers, "GetUser", recording("GetUser", {"Username": "u", "UserAttributes": []})
    )
    monkeypatch.setitem(handlers, "AdminGetUser", recording("AdminGetUser", {"Username": "u"}))
    monkeypatch.setitem(handlers, "ListUserPools", recording("ListUserPools", {"UserPools": []}))
    client = wire_server.client()
    client.get_user(AccessToken="token")
    client.admin_get_user(UserPoolId=POOL_ID, Username="u")
    client.list_user_pools(MaxResults=1)
    assert not threads["GetUser"].startswith(offload.THREAD_NAME)
    assert threads["AdminGetUser"].startswith(offload.THREAD_NAME)
    assert threads["ListUserPools"].startswith(offload.THREAD_NAME)


def test_request_ids_are_random_version_4_uuids() -> None:
    """AWS request ids are UUIDs; the wire makes its own from random bytes, so check its form."""
    ids = [request_id_v4() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for request_id in ids:
        parsed = uuid.UUID(request_id)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, request_id)
    assert {request_id[19] for request_id in ids} == set("89ab")  # every variant digit occurs
