"""The Cognito requests the bench replays with wrk, built once per server through boto3.

Set-up (a pool, an app client with USER_PASSWORD_AUTH, one user with a permanent password, an access
token) goes through boto3 exactly as an application would, on each server alike. The replayed
requests are fixed byte strings: ``GetUser`` carries the access token; admin calls carry a SigV4
signature made by botocore. The pool accepts a signature for ``MAX_SKEW_SECONDS`` (5 minutes)
around its ``X-Amz-Date`` and keeps no nonce, so one signed request may be replayed for a run of a
few seconds; it is signed again right before every run. moto and cognito-local check no signature.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from bench.servers import Server
from bench.workloads import client_for

PASSWORD = "Bench-Pass-123!"
USERNAME = (
    "bench-user@example.com"  # cognito-local signs in by email; email-shaped works everywhere
)
TARGET = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class Prepared:
    """One server made ready: its pool, app client, user and a valid access token."""

    server: Server
    pool_id: str
    client_id: str
    username: str
    access_token: str


@dataclass(frozen=True)
class Request:
    """A fixed HTTP request for wrk: method POST, this body, these headers."""

    url: str
    body: str
    headers: dict[str, str]


def create_pool(server: Server) -> tuple[str, str]:
    """A pool and an app client allowing USER_PASSWORD_AUTH; returns (pool id, client id)."""
    idp: Any = client_for(server)
    pool_id = str(idp.create_user_pool(PoolName="bench")["UserPool"]["Id"])
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="bench",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return pool_id, str(client_id)


def prepare(server: Server) -> Prepared:
    """Pool, client, one confirmed user, and that user's access token (a real password sign-in)."""
    idp: Any = client_for(server)
    pool_id, client_id = create_pool(server)
    idp.admin_create_user(
        UserPoolId=pool_id, Username=USERNAME, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD
    )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=USERNAME, Password=PASSWORD, Permanent=True
    )
    token = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": USERNAME, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    return Prepared(server, pool_id, client_id, USERNAME, str(token))


def unsigned(server: Server, operation: str, params: dict[str, Any]) -> Request:
    """A call that needs no signature (GetUser, InitiateAuth)."""
    headers = {"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET + operation}
    return Request(server.endpoint + "/", json.dumps(params), headers)


def signed(server: Server, operation: str, params: dict[str, Any]) -> Request:
    """An admin call signed with the server's key pair (SigV4, service cognito-idp, us-east-1)."""
    url = server.endpoint + "/"
    body = json.dumps(params)
    headers = {"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET + operation}
    request = AWSRequest(method="POST", url=url, data=body.encode(), headers=headers)
    SigV4Auth(Credentials(server.key, server.secret), "cognito-idp", "us-east-1").add_auth(request)
    sent = {k: str(v) for k, v in request.headers.items()}
    sent["Host"] = urlsplit(url).netloc  # signed as host:port; wrk must send exactly that
    return Request(url, body, sent)


def get_user(p: Prepared) -> Request:
    return unsigned(p.server, "GetUser", {"AccessToken": p.access_token})


def admin_get_user(p: Prepared) -> Request:
    return signed(p.server, "AdminGetUser", {"UserPoolId": p.pool_id, "Username": p.username})


def initiate_auth(p: Prepared) -> Request:
    params = {
        "ClientId": p.client_id,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": p.username, "PASSWORD": PASSWORD},
    }
    return unsigned(p.server, "InitiateAuth", params)
