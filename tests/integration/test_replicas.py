"""Replicas of ``mfa-portal serve`` form one deployment over PostgreSQL and Redis.

Real processes and real HTTP: a PostgreSQL server (``initdb``/``pg_ctl``), a ``redis-server`` and
four ``mfa-portal serve`` processes (``a``, ``b``, ``c``, and ``doomed``, which one story kills) on their own ports and empty data directories, given only what
an operator gives every replica (database URL, Redis URL, the shared secrets as files and variables,
one public URL). A browser is one cookie jar; which replica answers a request is up to the test, as
it is up to a load balancer. Support works from the CLI on a fourth data directory, pointed at the
same database. The module shares one deployment, so every story uses its own user.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

import httpx
import pyotp
import pytest
from botocore.exceptions import ClientError

from mfa_portal.cognito_api.client import BotoCognitoClient
from mfa_portal.cognito_api.secret_hash import secret_hash_parameter
from tests.support.backends import PASSWORD
from tests.support.pg_throwaway import PostgresServer
from tests.support.postgres import fresh_database
from tests.support.race import run_together
from tests.support.redis_server import redis_server
from tests.support.replicas import (
    Deployment,
    Replica,
    SharedSecrets,
    Visitor,
    rsa_pem,
)
from tests.support.setup import create_user as setup_user
from tests.support.signin_forms import sign_in, sign_in_and_enrol

pytestmark = pytest.mark.xdist_group("replicas")

RECOVERY_CODE = re.compile(r"<li><code>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})</code></li>")
WRONG_CODE = "That code is not right"


@pytest.fixture(scope="module")
def deployment(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("replicas")
    database = fresh_database(postgres_server)
    try:
        with redis_server(root) as redis_url:
            secrets = SharedSecrets.create(root / "secrets")
            deployment = Deployment(root, postgres_server.url(database), redis_url, secrets)
            try:
                deployment.start("a")  # the first start creates the default pool
                # "doomed" is the one the crash story kills, so every other story keeps a, b, c.
                later = [deployment.launch(name) for name in ("b", "c", "doomed")]
                for replica in later:
                    deployment.wait(replica)
                yield deployment
            finally:
                deployment.stop()
    finally:
        postgres_server.admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def replica(deployment: Deployment, name: str) -> Replica:
    return next(r for r in deployment.replicas if r.name == name)


def create_user(deployment: Deployment, username: str) -> None:
    """The operator creates the user with boto3 on a replica's ``/cognito``."""
    idp = BotoCognitoClient(deployment.idp(replica(deployment, "a")))
    setup_user(idp, deployment.ids().user_pool_id, username)


def totp_now(secret: str) -> str:
    return str(pyotp.TOTP(secret).now())


def totp_next(secret: str) -> str:
    """The next step's code: inside the ±1-step window, and newer than the enrolment's."""
    return str(pyotp.TOTP(secret).at(time.time() + 30))


def enrol(visitor: Visitor, on: Replica, username: str, *, again: bool = False) -> str:
    """Sign in with the password (restricted to set-up) and enrol on ``on``; the TOTP secret.

    ``again``: the user enrolled before (then reset): the replay guard is per user and never moves
    back, so the new authenticator's first code must be from a step after the old one's last."""
    code = totp_next if again else totp_now
    secret, done = sign_in_and_enrol(visitor.at(on), username, PASSWORD, code)
    assert (done.status_code, done.headers["location"]) == (303, "/account/recovery-codes?offer=1")
    return secret


def password_step(visitor: Visitor, on: Replica, username: str) -> httpx.Response:
    """The password step of an enrolled user: the code page comes next."""
    answer = sign_in(visitor.at(on), username, PASSWORD)
    assert (answer.status_code, answer.headers["location"]) == (303, "/signin/code")
    return visitor.get(on, "/signin/code")


def verified_user(visitor: Visitor, on: Replica) -> str | None:
    """Who ``/auth/verify`` on ``on`` says this browser is (None: 401)."""
    answer = visitor.get(on, "/auth/verify")
    if answer.status_code == 401:
        return None
    assert answer.status_code == 200, answer.text
    return answer.headers["x-auth-user"]


def issue_recovery_codes(visitor: Visitor, on: Replica) -> list[str]:
    visitor.get(on, "/account/recovery-codes")
    codes = RECOVERY_CODE.findall(visitor.post(on, "/account/recovery-codes", {}).text)
    assert len(codes) == 10
    return codes


def recover(on: Replica, username: str, code: str) -> httpx.Response:
    visitor = Visitor()
    visitor.get(on, "/recover")
    return visitor.post(on, "/recover", {"username": username, "password": PASSWORD, "code": code})


def audit(deployment: Deployment, username: str) -> list[dict[str, Any]]:
    """``mfa-portal audit list --json`` from the support desk's own data directory."""
    done = deployment.cli("audit", "list", "--target", username, "--json")
    assert done.returncode == 0, done.stderr
    entries: list[dict[str, Any]] = json.loads(done.stdout)
    return entries


# --- the stories --------------------------------------------------------------------------------


def test_a_session_begun_on_one_replica_works_on_every_other(deployment: Deployment) -> None:
    a, b, c = (replica(deployment, n) for n in "abc")
    create_user(deployment, "alice")
    browser = Visitor()
    enrol(browser, a, "alice")

    for other in (b, c):
        assert verified_user(browser, other) == "alice"
        account = browser.get(other, "/account")
        assert account.status_code == 200
        assert "alice" in account.text
    # Each replica's banner names the shared database, never its password.
    password = httpx.URL(deployment.database_url).password
    assert password
    for each in (a, b, c):
        assert "(database: postgresql://postgres:***@127.0.0.1:" in each.output()
        assert password not in each.output()
    # The load balancer's health check needs no session (docs/deploy-aws.md).
    health = httpx.get(c.url + "/static/portal.css")
    assert health.status_code == 200
    assert "set-cookie" not in health.headers
    # A form rendered by one replica is accepted by another (one session, one CSRF secret).
    browser.get(b, "/account")
    assert browser.post(c, "/signout", {}).status_code == 303
    assert verified_user(browser, a) is None


def test_a_code_accepted_on_one_replica_is_refused_on_another(deployment: Deployment) -> None:
    a, b = replica(deployment, "a"), replica(deployment, "b")
    create_user(deployment, "bob")
    secret = enrol(Visitor(), a, "bob")
    first, second = Visitor(), Visitor()
    password_step(first, a, "bob")
    password_step(second, b, "bob")
    code = totp_next(secret)

    accepted = first.post(a, "/signin/code", {"code": code})
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/")
    replayed = second.post(b, "/signin/code", {"code": code})
    assert replayed.status_code == 400
    assert WRONG_CODE in replayed.text
    assert verified_user(first, b) == "bob"
    assert verified_user(second, b) is None
    assert verified_user(second, a) is None


def test_recovery_codes_made_on_one_replica_work_once_on_another(deployment: Deployment) -> None:
    a, b = replica(deployment, "a"), replica(deployment, "b")
    create_user(deployment, "carol")
    browser = Visitor()
    enrol(browser, a, "carol")
    codes = issue_recovery_codes(browser, a)

    used = recover(b, "carol", codes[0])
    assert used.status_code == 200
    assert "Your old authenticator was removed" in used.text
    # The recovery removed the authenticator: the session that enrolled it ends everywhere.
    assert verified_user(browser, a) is None
    assert verified_user(browser, b) is None

    again = recover(a, "carol", codes[0])
    assert again.status_code == 400
    assert "The username, password or recovery code is not right." in again.text
    # The next sign-in, on either replica, goes to set-up; the other nine codes are still there.
    fresh = Visitor()
    enrol(fresh, a, "carol", again=True)
    remaining = fresh.get(b, "/account/recovery-codes").text
    assert "You have <strong>9</strong> unused recovery codes" in remaining


def test_support_reset_from_the_cli_ends_the_session_on_every_replica(
    deployment: Deployment,
) -> None:
    a, b, c = (replica(deployment, n) for n in "abc")
    create_user(deployment, "dave")
    browser = Visitor()
    enrol(browser, b, "dave")
    assert [verified_user(browser, r) for r in (a, b, c)] == ["dave"] * 3

    done = deployment.cli("users", "reset-mfa", "dave", "--reason", "lost phone", "--json")
    assert done.returncode == 0, done.stderr

    assert [verified_user(browser, r) for r in (a, b, c)] == [None] * 3
    # Signing in again lands on set-up, whichever replica answers.
    answer = sign_in(Visitor().at(c), "dave", PASSWORD)
    assert answer.headers["location"] == "/mfa/setup"


def test_the_audit_trail_shows_every_step_from_every_replica_in_order(
    deployment: Deployment,
) -> None:
    a, b = replica(deployment, "a"), replica(deployment, "b")
    create_user(deployment, "erin")
    browser = Visitor()
    enrol(browser, a, "erin")  # on A
    codes = issue_recovery_codes(browser, b)  # on B
    assert recover(a, "erin", codes[3]).status_code == 200  # on A
    enrol(Visitor(), b, "erin", again=True)  # on B
    done = deployment.cli("users", "reset-mfa", "erin", "--reason", "ticket 42")  # the CLI
    assert done.returncode == 0, done.stderr

    entries = list(reversed(audit(deployment, "erin")))  # oldest first
    assert [(e["action"], e["outcome"]) for e in entries] == [
        ("enrol-authenticator", "success"),
        ("recovery-codes issue", "success"),
        ("recovery-reset", "success"),
        ("enrol-authenticator", "success"),
        ("reset-mfa", "success"),
    ]
    assert [e["actor"] for e in entries][:4] == ["self:erin"] * 3 + ["self:erin"]
    assert entries[-1]["reason"] == "ticket 42"
    times = [e["time"] for e in entries]
    assert times == sorted(times)


def test_killing_a_replica_mid_sign_in_leaves_the_others_serving_with_nothing_lost(
    deployment: Deployment,
) -> None:
    b, c = replica(deployment, "b"), replica(deployment, "doomed")
    create_user(deployment, "frank")
    enrolled = Visitor()
    secret = enrol(enrolled, c, "frank")
    codes = issue_recovery_codes(enrolled, c)
    midway = Visitor()
    password_step(midway, c, "frank")  # the challenge is pending when C dies
    stop_hammering = threading.Event()
    hammer = threading.Thread(target=_hammer, args=(c, stop_hammering), daemon=True)
    hammer.start()  # requests in flight on C as it is killed

    c.kill()
    stop_hammering.set()
    hammer.join(timeout=30)

    assert c.proc.returncode == -9
    finished = midway.post(b, "/signin/code", {"code": totp_next(secret)})
    assert (finished.status_code, finished.headers["location"]) == (303, "/")
    assert verified_user(midway, b) == "frank"
    assert verified_user(enrolled, b) == "frank"
    remaining = enrolled.get(b, "/account/recovery-codes").text
    assert "You have <strong>10</strong> unused recovery codes" in remaining
    assert recover(b, "frank", codes[0]).status_code == 200
    actions = [e["action"] for e in audit(deployment, "frank")]
    assert actions == ["recovery-reset", "recovery-codes issue", "enrol-authenticator"]


def _hammer(target: Replica, stop: threading.Event) -> None:
    with httpx.Client(timeout=5) as http:
        while not stop.is_set():
            try:
                http.get(target.url + "/signin")
            except httpx.TransportError:
                return


def test_a_replica_with_other_keys_than_the_database_refuses_to_start(
    deployment: Deployment,
) -> None:
    """Three replicas that do not hold the deployment's secrets, started at once: one with another
    seed key, one with another ID-token signing key, one without the pool's access key pair (it must
    not mint a pair of its own beside a database in use). Each stops with one line naming what to
    supply, never the key, and the deployment does not notice."""
    seed = base64.urlsafe_b64encode(os.urandom(32)).decode()
    signing = rsa_pem().decode()
    strays = {
        "MFA_PORTAL_POOL_SEED_KEY": (
            deployment.launch("stray-seed", MFA_PORTAL_POOL_SEED_KEY=seed),
            seed,
        ),
        "MFA_PORTAL_POOL_ID_TOKEN_KEY": (
            deployment.launch("stray-signing", MFA_PORTAL_POOL_ID_TOKEN_KEY=signing),
            signing.splitlines()[1],
        ),
        "MFA_PORTAL_POOL_ACCESS_KEY_ID": (
            deployment.launch(
                "stray-access",
                MFA_PORTAL_POOL_ACCESS_KEY_ID="",
                MFA_PORTAL_POOL_SECRET_ACCESS_KEY="",
            ),
            deployment.secrets.secret_access_key,
        ),
    }
    for variable, (stray, secret) in strays.items():
        try:
            status = stray.proc.wait(timeout=90)
        finally:
            stray.stop()
        lines = [line for line in stray.output().splitlines() if line.strip()]
        assert status == 2, lines
        assert len(lines) == 1, lines
        assert lines[0].startswith("error: ")
        assert variable in lines[0]
        assert "restore" in lines[0]
        assert secret not in lines[0]
        assert not (stray.data_dir / "credentials.json").exists()
    assert httpx.get(replica(deployment, "a").url + "/signin").status_code == 200


# --- races across processes ------------------------------------------------------------------------


def test_one_code_raced_through_two_replicas_signs_in_exactly_once(
    deployment: Deployment,
) -> None:
    """Eight sign-ins of one user, each with its own challenge session, answer with the same code
    at once, alternately through replica A's and replica B's ``/cognito``: one wins."""
    a, b = replica(deployment, "a"), replica(deployment, "b")
    create_user(deployment, "grace")
    secret = enrol(Visitor(), a, "grace")
    ids = deployment.ids()
    clients = [deployment.idp(a), deployment.idp(b)]
    described = clients[0].describe_user_pool_client(
        UserPoolId=ids.user_pool_id, ClientId=ids.client_id
    )
    proof = secret_hash_parameter(  # the portal's client is confidential
        described["UserPoolClient"]["ClientSecret"], "grace", ids.client_id
    )
    sessions = []
    for i in range(8):
        started = clients[i % 2].initiate_auth(
            ClientId=ids.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "grace", "PASSWORD": PASSWORD, **proof},
        )
        assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
        sessions.append(started["Session"])
    code = totp_next(secret)

    def answer(i: int) -> str:
        try:
            got = clients[i % 2].respond_to_auth_challenge(
                ClientId=ids.client_id,
                ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=sessions[i],
                ChallengeResponses={"USERNAME": "grace", "SOFTWARE_TOKEN_MFA_CODE": code, **proof},
            )
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "tokens" if "AuthenticationResult" in got else "other"

    results = run_together([partial(answer, i) for i in range(len(sessions))])
    assert len(results) == len(sessions)
    assert results.count("tokens") == 1, results
    # The losers see the replayed code refused (and, past the lockout threshold, the lockout).
    assert "CodeMismatchException" in results
    assert set(results) <= {"tokens", "CodeMismatchException", "NotAuthorizedException"}, results
