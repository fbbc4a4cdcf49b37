"""What the benchmark measures, through real boto3 over HTTP, identically on every server."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import pyotp
from botocore.config import Config

from bench.servers import Server

PASSWORD = "Bench-Pass-123!"


class LaxTOTP(pyotp.TOTP):
    """moto hands out a 60-bit secret; pyotp refuses < 112 bits unless told otherwise."""

    min_secret_length_bits = 0


@dataclass
class Target:
    server: Server
    idp: Any
    pool_id: str
    client_id: str
    users: list[str]


def client_for(server: Server) -> Any:
    return boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=server.endpoint,
        aws_access_key_id=server.key,
        aws_secret_access_key=server.secret,
        config=Config(retries={"max_attempts": 1}, max_pool_connections=16),
    )


def prepare(server: Server, users: int) -> Target:
    idp = client_for(server)
    pool_id = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="bench",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    names = [f"user{i:03d}@example.com" for i in range(users)]  # cognito-local signs in by email
    for name in names:
        idp.admin_create_user(
            UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD
        )
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True
        )
    return Target(server, idp, pool_id, client_id, names)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def admin_get_user(t: Target, i: int) -> float:
    return timed(
        lambda: t.idp.admin_get_user(UserPoolId=t.pool_id, Username=t.users[i % len(t.users)])
    )


def password_sign_in(t: Target, i: int) -> float:
    name = t.users[i % len(t.users)]
    return timed(
        lambda: t.idp.initiate_auth(
            ClientId=t.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )
    )


def enrol(t: Target, name: str) -> str:
    access = t.idp.initiate_auth(
        ClientId=t.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    secret = str(t.idp.associate_software_token(AccessToken=access)["SecretCode"])
    t.idp.verify_software_token(AccessToken=access, UserCode=LaxTOTP(secret).now())
    t.idp.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret


def totp_sign_in(t: Target, name: str, secret: str) -> float:
    """Password step + SOFTWARE_TOKEN_MFA answer: one full MFA sign-in."""

    def run() -> None:
        step = t.idp.initiate_auth(
            ClientId=t.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )
        t.idp.respond_to_auth_challenge(
            ClientId=t.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=step["Session"],
            ChallengeResponses={
                "USERNAME": name,
                "SOFTWARE_TOKEN_MFA_CODE": LaxTOTP(secret).now(),
            },
        )

    return timed(run)


def throughput(t: Target, op: Callable[[Target, int], float], requests: int, threads: int) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda i: op(t, i), range(requests)))
    return requests / (time.perf_counter() - start)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000,
        "n": float(len(ordered)),
    }
