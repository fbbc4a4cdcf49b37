"""The embedded pool's wire front: Cognito's AWS JSON 1.1 protocol, SigV4 and the JWKS routes.

boto3, the AWS CLI and the AWS SDKs talk to this app unchanged with ``endpoint_url``. It is the one
place where exceptions become ``{"__type", "message"}`` responses; anything that is not a
``CognitoError`` becomes a generic 500 whose traceback goes to the log, never to the client.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from collections.abc import Iterable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mfa_portal.clock import Clock, SystemClock
from mfa_portal.cognito_api import errors, messages
from mfa_portal.cognito_api.service_model import service_model
from mfa_portal.pool import json_codec, offload, password_calls, sigv4
from mfa_portal.pool.address_limit import OPERATIONS as PASSWORD_STEP_OPERATIONS
from mfa_portal.pool.address_limit import PasswordStepLimit
from mfa_portal.pool.credentials import Credentials
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.ids import uuid4_text
from mfa_portal.pool.pools import load_pool
from mfa_portal.pool.registry import is_public
from mfa_portal.storage import outage

logger = logging.getLogger(__name__)

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"
ACCEPTED_TYPES = frozenset({CONTENT_TYPE, "application/x-amz-json-1.0", "application/json"})
MAX_BODY_BYTES = 1024 * 1024
SERVICE_NAME = "mfa-portal embedded Amazon Cognito user pool"
# GetUser reads three rows by unique keys (the pool, the user by ``sub``, the token family) and
# hashes nothing: on a local SQLite file that costs less than the hop to a worker thread, so it runs
# on the event loop. Anything that may scan (AdminGetUser falls back to alias attributes), hash or
# wait on a network database does not.
INLINE_OPERATIONS = frozenset({"GetUser"})
_OPERATION_NAME = re.compile(r"[A-Za-z]{1,64}")
_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+")


def _operation(target: str | None) -> str:
    """The operation named by ``X-Amz-Target``; UnknownOperationException otherwise."""
    prefix, _, name = (target or "").partition(".")
    if f"{prefix}." != TARGET_PREFIX or not _OPERATION_NAME.fullmatch(name):
        raise errors.error(
            "UnknownOperationException",
            messages.malformed_target(TARGET_PREFIX),
        )
    if name not in service_model().operation_names:
        raise errors.error("UnknownOperationException", messages.unknown_operation(name))
    return name


def request_id_v4() -> str:
    """A random version-4 UUID, as AWS request ids are: made from 16 random bytes without building
    a ``uuid.UUID`` (it runs on every call, and that took a third of its cost)."""
    return uuid4_text(os.urandom(16))


def _check_content_type(value: str | None) -> None:
    if value is None:
        return
    media = value.split(";", 1)[0].strip().lower()
    if media not in ACCEPTED_TYPES:
        raise errors.error(
            "SerializationException", messages.unsupported_content_type(CONTENT_TYPE)
        )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_standard(body: bytes) -> Any:
    """The standard library's parse, whose acceptance and errors are the wire's contract.

    Only bodies orjson refused or might read differently come here. Unlike orjson, the standard
    library accepts an escaped lone surrogate (``"\\ud800"``), a string that is not Unicode and
    that no database, log line or JSON answer can hold: such a body is refused here, once, rather
    than failing later wherever that string ends up."""
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError):
        raise errors.error("SerializationException", messages.BODY_NOT_JSON) from None
    except RecursionError:  # e.g. [[[[…]]]] 1,000 deep; no Cognito input nests beyond ten
        raise errors.error("SerializationException", messages.BODY_TOO_DEEP) from None
    if not _all_unicode(value):
        raise errors.error("SerializationException", messages.BODY_NOT_UNICODE)
    return value


def _all_unicode(value: Any) -> bool:
    """No string (key or value) anywhere in ``value`` holds a surrogate code point."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _parse_params(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    params = json_codec.loads(body, _parse_standard)
    if not isinstance(params, dict):
        raise errors.error("SerializationException", messages.BODY_NOT_OBJECT)
    return params


async def _read_body(receive: Receive) -> bytes:
    """The whole body, refusing anything larger than any Cognito request needs."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise errors.error("SerializationException", messages.body_too_large(MAX_BODY_BYTES))
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class ClientGone(Exception):
    """The client hung up before sending its whole request: there is no one to answer."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_json(
    send: Send, payload: dict[str, Any], status: int, request_id: str, error_type: str | None = None
) -> None:
    body = json_codec.dumps(payload)
    headers = [
        (b"content-type", CONTENT_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"x-amzn-requestid", request_id.encode()),
    ]
    if error_type is not None:
        headers.append((b"x-amzn-errortype", error_type.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_error(send: Send, exc: errors.CognitoError, request_id: str) -> None:
    """The wire shape of every Cognito error (spec §7.1); ``json_codec.dumps`` writes any message,
    even one echoing a string that is not Unicode, so an error can always be sent."""
    await _send_json(
        send, {"__type": exc.code, "message": exc.message}, exc.status, request_id, exc.code
    )


class WireFront:
    """Request handlers over one engine and one key pair."""

    def __init__(
        self,
        engine: Engine,
        credentials: Credentials,
        wall_clock: Clock,
        address_limit: PasswordStepLimit | None = None,
    ) -> None:
        self.engine = engine
        self.credentials = credentials
        self.address_limit = address_limit
        # SigV4 freshness is judged by wall time, not the engine's clock, so tests may run the
        # engine on a fake clock while real boto3 signs with the real one.
        self.wall_clock = wall_clock
        self.inline = engine.db.engine_name == "sqlite"
        self.outage_log = outage.OutageLog(logger)  # one line a second while the database is down

    async def call(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One Cognito call (a POST to the endpoint), as raw ASGI: it is the pool's hot path, so
        no routing, request or response objects stand between the socket and the engine."""
        request_id = request_id_v4()
        operation = "-"
        try:
            operation = _operation(_header(scope, b"x-amz-target"))
            body = await _read_body(receive)
            principal: str | None = None
            if not is_public(operation):
                signed = sigv4.SignedRequest.from_scope(scope, body)
                principal = sigv4.verify(signed, self.credentials, self.wall_clock.now())
            _check_content_type(_header(scope, b"content-type"))
            params = _parse_params(body)
            client = scope.get("client")
            source_ip = client[0] if client else "127.0.0.1"
            if operation in INLINE_OPERATIONS and self.inline:
                result = self.engine.call(
                    operation, params, iam_principal=principal, source_ip=source_ip
                )
            else:
                hashes = password_calls.hashes(operation, params)
                call = functools.partial(
                    self.engine.call,
                    operation,
                    params,
                    iam_principal=principal,
                    source_ip=source_ip,
                )
                if self.address_limit is not None and operation in PASSWORD_STEP_OPERATIONS:
                    call = functools.partial(
                        self.address_limit.call, call, operation, params, source_ip
                    )
                result = await (offload.in_password_thread if hashes else offload.in_thread)(call)
        except ClientGone:
            return
        except errors.CognitoError as exc:
            logger.info("%s failed: %s (request %s)", operation, exc.code, request_id)
            await _send_error(send, exc, request_id)
            return
        except Exception as exc:
            if outage.unreachable(exc):  # the database is down: a line, not a traceback each
                self.outage_log.error(
                    exc,
                    "%s failed: the database is unreachable (%s) (request %s)",
                    operation,
                    outage.summary(exc),
                    request_id,
                )
            else:
                logger.exception("internal error in %s (request %s)", operation, request_id)
            internal = errors.error("InternalErrorException", messages.INTERNAL_ERROR)
            await _send_error(send, internal, request_id)
            return
        await _send_json(send, result, 200, request_id)

    async def health(self, request: Request) -> Response:
        return JSONResponse(
            {"service": SERVICE_NAME, "protocol": "awsJson1_1", "targetPrefix": TARGET_PREFIX[:-1]}
        )

    async def _known_pool(self, pool_id: str) -> bool:
        if not _POOL_ID.fullmatch(pool_id):
            return False

        def exists() -> bool:
            with self.engine.db.read() as conn:
                try:
                    load_pool(conn, pool_id)
                except errors.CognitoError:
                    return False
                return True

        return await offload.in_thread(exists)

    async def jwks(self, request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        if not await self._known_pool(pool_id):
            return JSONResponse({"message": "User pool does not exist."}, status_code=404)
        return JSONResponse(
            self.engine.signer.jwks(), headers={"Cache-Control": "public, max-age=300"}
        )

    async def openid_configuration(self, request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        if not await self._known_pool(pool_id):
            return JSONResponse({"message": "User pool does not exist."}, status_code=404)
        config = self.engine.signer.openid_configuration(self.engine.issuer(pool_id))
        return JSONResponse(config, headers={"Cache-Control": "public, max-age=300"})


class WireApp:
    """The Cognito endpoint: POSTs to its root go straight to ``WireFront.call``; the health check
    and the JWKS/OpenID documents (GETs, rare and cacheable) are ordinary Starlette routes."""

    def __init__(self, front: WireFront) -> None:
        self.front = front
        self.routes = Starlette(
            routes=[
                Route("/", front.health, methods=["GET"]),
                Route("/{pool_id}/.well-known/jwks.json", front.jwks, methods=["GET"]),
                Route(
                    "/{pool_id}/.well-known/openid-configuration",
                    front.openid_configuration,
                    methods=["GET"],
                ),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and _route_path(scope) in ("", "/")
        ):
            await self.front.call(scope, receive, send)
        else:
            await self.routes(scope, receive, send)


class WireFastLane:
    """Outermost layer of a server that mounts the wire front: a POST to exactly one of the
    endpoint's paths reaches ``WireFront.call`` before any routing or middleware; everything else
    goes to ``app`` unchanged. SigV4 reads the raw path, so skipping the mounts changes nothing."""

    def __init__(self, app: ASGIApp, wire: WireApp, paths: Iterable[str]) -> None:
        self.app = app
        self.front = wire.front
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in self.paths:
            await self.front.call(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def create_wire_app(
    engine: Engine,
    credentials: Credentials,
    *,
    wall_clock: Clock | None = None,
    failures_per_address: int = 0,
) -> WireApp:
    """The Cognito endpoint as an ASGI app; serve it at the URL that ``engine.issuer_base`` names.

    ``failures_per_address``: failed password steps per client address in 15 minutes before its
    password steps are refused (``address_limit``; 0: no limit).

    Mount it with ``WireMount(prefix, app=...)`` (not ``Mount``) so ``endpoint_url=…<prefix>``
    works without a trailing slash, which is how boto3 posts to it.
    """
    limit = PasswordStepLimit(engine, failures_per_address) if failures_per_address else None
    return WireApp(WireFront(engine, credentials, wall_clock or SystemClock(), limit))


def _route_path(scope: Scope) -> str:
    path, root = str(scope["path"]), str(scope.get("root_path", ""))
    return path[len(root) :] if root and path.startswith(root) else path


class WireMount(Mount):
    """A ``Mount`` that also answers its bare prefix.

    boto3 with ``endpoint_url=http://host/cognito`` posts to ``/cognito`` with no trailing slash;
    a plain ``Mount`` answers that with a redirect that SDKs do not follow. The raw path is left
    untouched, so SigV4 still sees exactly the path the client signed.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and _route_path(scope) == self.path:
            root_path = str(scope.get("root_path", ""))
            return Match.FULL, {
                "path_params": dict(scope.get("path_params", {})),
                "app_root_path": scope.get("app_root_path", root_path),
                "root_path": root_path + self.path,
                "path": str(scope["path"]) + "/",
                "endpoint": self.app,
            }
        return super().matches(scope)
