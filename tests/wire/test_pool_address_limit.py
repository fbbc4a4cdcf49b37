"""The pool endpoint's limit on failed password steps per client address, on a real
``mfa-portal pool serve`` (and the portal's ``/cognito``) driven with boto3: a sprayed password is
stopped there too, and what must pass (loopback, the operator's signed calls, clients with a
secret, another address) passes.

Each test speaks from its own public address, given through ``X-Forwarded-For`` (the server trusts it
from loopback, as behind the documented proxy), so the tests share one server without sharing counts.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mfa_portal.cognito_api.srp import SrpClient
from mfa_portal.pool.address_limit import is_counted
from tests.support.pool_process import PoolProcess, pool_serve, portal_serve
from tests.support.race import run_together

pytestmark = pytest.mark.xdist_group("pool-address-limit")  # one server for the module

LIMIT = 3
USERS = 32  # each test signs its own users in, so no test locks out another's
PASSWORD = "Corr3ct-Horse-Battery!"
WRONG = "Wr0ng-Guess-Number-9!"
NO_RETRIES = Config(retries={"mode": "standard", "max_attempts": 1})


def idp_from(server: PoolProcess, address: str | None = None) -> Any:
    """boto3 for ``server``, its requests coming from ``address`` (None: loopback itself)."""
    idp = server.idp(NO_RETRIES)  # botocore retries TooManyRequestsException: count each once
    if address is not None:

        def forwarded(request: Any, **_: Any) -> None:
            request.headers["X-Forwarded-For"] = address

        idp.meta.events.register("before-send.cognito-idp.*", forwarded)
    return idp


class World:
    """One pool with a public client, a client with a secret, and a few users."""

    def __init__(self, server: PoolProcess) -> None:
        self.server = server
        idp = idp_from(server)
        self.pool_id = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
        flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        self.public = idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="spa", ExplicitAuthFlows=flows
        )["UserPoolClient"]["ClientId"]
        confidential = idp.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="backend",
            ExplicitAuthFlows=[*flows, "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
            GenerateSecret=True,
        )["UserPoolClient"]
        self.confidential, self.secret = confidential["ClientId"], confidential["ClientSecret"]
        self.users = [f"user{n}" for n in range(USERS)]
        for name in self.users:
            idp.admin_create_user(UserPoolId=self.pool_id, Username=name, MessageAction="SUPPRESS")
            idp.admin_set_user_password(
                UserPoolId=self.pool_id, Username=name, Password=PASSWORD, Permanent=True
            )

    def sign_in(self, address: str | None, name: str, password: str = PASSWORD) -> dict[str, Any]:
        result: dict[str, Any] = idp_from(self.server, address).initiate_auth(
            ClientId=self.public,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": password},
        )
        return result

    def secret_hash(self, name: str) -> str:
        digest = hmac.new(self.secret.encode(), (name + self.confidential).encode(), hashlib.sha256)
        return base64.b64encode(digest.digest()).decode()


def refused(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def spray(world: World, address: str | None, count: int = LIMIT, first: int = 0) -> None:
    """One wrong password on each of ``count`` users: no user reaches its own lockout."""
    for name in world.users[first : first + count]:
        code = refused(lambda name=name: world.sign_in(address, name, WRONG))
        assert code == "NotAuthorizedException"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir: Path = tmp_path_factory.mktemp("limited-pool")
    with pool_serve(data_dir, {"MFA_PORTAL_POOL_FAILURES_PER_ADDRESS": str(LIMIT)}) as server:
        yield World(server)


def test_a_sprayed_password_is_stopped_even_when_it_is_right(world: World) -> None:
    spray(world, "45.33.10.10")
    refusal = refused(lambda: world.sign_in("45.33.10.10", world.users[3]))
    assert refusal == "TooManyRequestsException"
    # No account was locked by it: the same users sign in at once from elsewhere.
    for name in world.users[:LIMIT]:
        assert "AuthenticationResult" in world.sign_in("81.2.69.10", name)


def test_the_refusal_says_what_happened_and_is_not_a_lockout(world: World) -> None:
    spray(world, "45.33.10.11", first=4)
    with pytest.raises(ClientError) as caught:
        world.sign_in("45.33.10.11", world.users[4], WRONG)
    error = caught.value.response["Error"]
    assert error["Code"] == "TooManyRequestsException"
    assert error["Message"] == "Too many failed sign-ins came from this address. Try again later."
    # The refused guesses were never checked: user4 has one failure, far from its lockout.
    for _ in range(5):
        refused(lambda: world.sign_in("45.33.10.11", world.users[4], WRONG))
    assert "AuthenticationResult" in world.sign_in("81.2.69.11", world.users[4])


def test_srp_proofs_count_and_a_stopped_address_cannot_start_srp(world: World) -> None:
    address = "45.33.10.12"
    idp = idp_from(world.server, address)
    for name in world.users[7 : 7 + LIMIT]:
        srp = SrpClient(world.pool_id, WRONG)
        started = idp.initiate_auth(
            ClientId=world.public,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": name, "SRP_A": srp.srp_a},
        )
        answer = {**srp.answer(started["ChallengeParameters"], time.time()), "USERNAME": name}
        code = refused(
            lambda answer=answer: idp.respond_to_auth_challenge(
                ClientId=world.public, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
            )
        )
        assert code == "NotAuthorizedException"
    srp = SrpClient(world.pool_id, PASSWORD)
    start = refused(
        lambda: idp.initiate_auth(
            ClientId=world.public,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": world.users[7], "SRP_A": srp.srp_a},
        )
    )
    assert start == "TooManyRequestsException"


def test_an_srp_start_uses_up_nothing(world: World) -> None:
    """Starting SRP is not a guess: many starts leave the address its whole limit."""
    idp = idp_from(world.server, "45.33.10.13")
    for _ in range(LIMIT + 2):
        srp = SrpClient(world.pool_id, PASSWORD)
        idp.initiate_auth(
            ClientId=world.public,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": world.users[10], "SRP_A": srp.srp_a},
        )
    spray(world, "45.33.10.13", first=11)  # all of them still checked


def test_made_up_names_count_like_wrong_passwords(world: World) -> None:
    for n in range(LIMIT):
        code = refused(lambda n=n: world.sign_in("45.33.10.14", f"nobody{n}", WRONG))
        assert code == "UserNotFoundException"  # the client does not prevent existence errors
    assert refused(lambda: world.sign_in("45.33.10.14", "nobody9")) == "TooManyRequestsException"


def test_successful_sign_ins_cost_an_address_nothing(world: World) -> None:
    for _ in range(2 * LIMIT):
        assert "AuthenticationResult" in world.sign_in("81.2.69.15", world.users[14])
    spray(world, "81.2.69.15", first=15)  # the limit is whole after many successes


def test_loopback_and_private_network_callers_are_not_counted(world: World) -> None:
    """Local tools and test suites talk to the pool from loopback; containers and server-side
    applications (a portal on another host) from a private network, many users from one address."""
    for source in (None, "10.20.30.40", "fd12:3456:789a::1"):
        spray(world, source, count=LIMIT + 2, first=18)


@pytest.mark.parametrize(
    ("source", "counted"),
    [
        ("45.33.10.10", True),
        ("2a00:1450:4001::1", True),
        ("::ffff:45.33.10.10", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("169.254.1.1", False),
        ("::ffff:10.0.0.1", False),
        ("testclient", False),  # not an address: a unix socket, a test transport
    ],
)
def test_only_public_addresses_are_counted(source: str, counted: bool) -> None:
    assert is_counted(source) is counted


def test_clients_with_a_secret_and_signed_calls_are_not_counted(world: World) -> None:
    """Only an application holding the secret (or the key pair) can cost a hash through them;
    it signs its users in from its own address."""
    address = "45.33.10.16"
    idp = idp_from(world.server, address)
    for name in world.users[23 : 24 + LIMIT]:
        guess = {"USERNAME": name, "PASSWORD": WRONG, "SECRET_HASH": world.secret_hash(name)}
        public = refused(
            lambda guess=guess: idp.initiate_auth(
                ClientId=world.confidential, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=guess
            )
        )
        signed = refused(
            lambda guess=guess: idp.admin_initiate_auth(
                UserPoolId=world.pool_id,
                ClientId=world.confidential,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters=guess,
            )
        )
        assert public == signed == "NotAuthorizedException"
    assert "AuthenticationResult" in world.sign_in(address, world.users[27])


def test_reaching_the_limit_is_logged_once(world: World) -> None:
    address = "45.33.10.17"
    spray(world, address, first=28)
    for _ in range(3):
        refused(lambda: world.sign_in(address, world.users[28], WRONG))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [
            line
            for line in world.server.log.read_text().splitlines()
            if "event=sign-in.address-limited" in line and f"ip={address}" in line
        ]
        if lines:
            break
        time.sleep(0.05)
    assert len(lines) == 1, lines
    assert "via=cognito-endpoint" in lines[0] and "WARNING" in lines[0]
    assert WRONG not in world.server.log.read_text()


def test_the_portal_endpoint_is_limited_too(tmp_path: Path) -> None:
    """``/cognito`` on ``mfa-portal serve``: a caller cannot go around the sign-in page's limit by
    posting to the pool behind it."""
    env = {"MFA_PORTAL_POOL_FAILURES_PER_ADDRESS": "2", "MFA_PORTAL_MODE": "development"}
    with portal_serve(tmp_path, env) as server:
        world = World(server)
        spray(world, "45.33.10.18", count=2)
        refusal = refused(lambda: world.sign_in("45.33.10.18", world.users[3]))
        assert refusal == "TooManyRequestsException"
        assert "AuthenticationResult" in world.sign_in("81.2.69.18", world.users[3])


def test_zero_turns_the_limit_off(tmp_path: Path) -> None:
    with pool_serve(tmp_path, {"MFA_PORTAL_POOL_FAILURES_PER_ADDRESS": "0"}) as server:
        world = World(server)
        spray(world, "45.33.10.19", count=LIMIT + 2)


def test_racing_guesses_on_two_workers_are_checked_exactly_up_to_the_limit(tmp_path: Path) -> None:
    """Twelve guesses at once from one address, spread over two worker processes: the database
    decides, so exactly the limit's worth are checked and the rest refused unchecked."""
    env = {"MFA_PORTAL_POOL_FAILURES_PER_ADDRESS": str(LIMIT)}
    with pool_serve(tmp_path, env, workers=2) as server:
        idp = idp_from(server)
        pool_id = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="spa", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]

        def guess(n: int) -> str:
            return refused(
                lambda: idp_from(server, "45.33.10.20").initiate_auth(
                    ClientId=client_id,
                    AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": f"nobody{n}", "PASSWORD": WRONG},
                )
            )

        outcomes = run_together([functools.partial(guess, n) for n in range(12)])
    assert sorted(outcomes) == sorted(
        ["UserNotFoundException"] * LIMIT + ["TooManyRequestsException"] * (12 - LIMIT)
    ), outcomes
