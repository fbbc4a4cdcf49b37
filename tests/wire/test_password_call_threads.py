"""Calls that hash a password run whole on a password-call thread, and hash there: over HTTP with
boto3, every hash of a sign-up, the sign-ins, a forced and a chosen new password and a reset is
seen on the thread that runs its call, and calls that do not hash stay off those threads. Their
mail is sent from a call thread: a stuck mail server does not stop password sign-ins.

A misrouted call is still answered rightly, only slower (two more thread hops per sign-in, 5 % of
the sign-ins per second on the bench machine), so this is what shows the routing holds.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mfa_portal.cognito_api.client import BotoCognitoClient
from mfa_portal.mail import MemoryMailer, Message
from mfa_portal.pool import offload
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.hash_slots import (
    HASH_THREAD_NAME,
    PASSWORD_CALL_THREAD_NAME,
    password_call_threads_per_worker,
    process_cores,
)
from mfa_portal.pool.passwords import PasswordHasher
from tests.support import backends
from tests.support.setup import create_pool, create_user
from tests.support.wire import MakeWireServer

TEMPORARY = "Temporary-Horse-1!"
PASSWORD = "Correct-Horse-9!"
FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
]


class ThreadsSeen:
    """Per operation, the threads its calls ran on and the threads their hashes ran on."""

    def __init__(self) -> None:
        self.calls: dict[str, list[str]] = defaultdict(list)
        self.hashes: dict[str, list[str]] = defaultdict(list)
        self._current = threading.local()

    def watch(self, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
        call = engine.call

        def watched(operation: str, params: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            self.calls[operation].append(threading.current_thread().name)
            self._current.operation = operation
            try:
                return call(operation, params, **kwargs)
            finally:
                self._current.operation = None

        monkeypatch.setattr(engine, "call", watched)

    def hashed(self) -> None:
        operation = getattr(self._current, "operation", None) or "(on another thread)"
        self.hashes[operation].append(threading.current_thread().name)


class WatchedArgon:
    """argon2-cffi's hasher, telling ``seen`` which thread each hash really runs on."""

    def __init__(self, argon: Any, seen: ThreadsSeen) -> None:
        self._argon = argon
        self._seen = seen

    def hash(self, password: str) -> str:
        self._seen.hashed()
        return str(self._argon.hash(password))

    def verify(self, stored: str, password: str) -> bool:
        self._seen.hashed()
        return bool(self._argon.verify(stored, password))


def watched_hasher(seen: ThreadsSeen) -> PasswordHasher:
    hasher = PasswordHasher(memory_kib=1024, time_cost=1)
    hasher._argon = WatchedArgon(hasher._argon, seen)  # type: ignore[assignment]
    return hasher


def test_every_hash_over_the_wire_runs_on_its_calls_password_call_thread(
    make_wire_server: MakeWireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = ThreadsSeen()
    server = make_wire_server(hasher=watched_hasher(seen))
    seen.watch(server.engine, monkeypatch)
    idp = server.client()
    pool_id = idp.create_user_pool(PoolName="threads")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS
    )["UserPoolClient"]["ClientId"]

    def sign_in(name: str, password: str) -> dict[str, Any]:
        answer: dict[str, Any] = idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": password},
        )
        return answer

    def admin_sign_in(flow: str) -> dict[str, Any]:
        answer: dict[str, Any] = idp.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow=flow,
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
        return answer

    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        TemporaryPassword=TEMPORARY,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": "alice@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    challenge = sign_in("alice", TEMPORARY)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": PASSWORD},
    )
    tokens = sign_in("alice", PASSWORD)["AuthenticationResult"]
    admin_sign_in("ADMIN_USER_PASSWORD_AUTH")
    admin_sign_in("ADMIN_NO_SRP_AUTH")
    idp.change_password(
        AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword=TEMPORARY
    )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
    )
    idp.sign_up(ClientId=client_id, Username="bob", Password=PASSWORD)
    with pytest.raises(ClientError):  # no code requested: refused without a hash
        idp.confirm_forgot_password(
            ClientId=client_id, Username="alice", ConfirmationCode="000000", Password=TEMPORARY
        )
    with pytest.raises(ClientError):
        sign_in("nobody", PASSWORD)  # verifies a dummy hash
    idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )
    # A reset signs alice out everywhere: after the refresh above.
    idp.forgot_password(ClientId=client_id, Username="alice")
    mailer = server.engine.mailer
    assert isinstance(mailer, MemoryMailer)
    mail = mailer.last_to("alice@example.com")
    code = re.search(r"\b(\d{6})\b", mail.body if mail else "")
    assert code is not None
    idp.confirm_forgot_password(
        ClientId=client_id, Username="alice", ConfirmationCode=code.group(1), Password=PASSWORD
    )
    idp.admin_get_user(UserPoolId=pool_id, Username="alice")

    assert {operation: len(threads) for operation, threads in seen.hashes.items()} == {
        "(on another thread)": 1,  # AdminCreateUser's: it mails mid-call, so it is not routed
        "InitiateAuth": 3,  # the temporary password, the new one, an unknown name
        "RespondToAuthChallenge": 1,
        "AdminInitiateAuth": 2,
        "ChangePassword": 2,  # the previous password verified, the proposed one hashed
        "AdminSetUserPassword": 1,
        "SignUp": 1,
        "ConfirmForgotPassword": 1,  # the right code's; the refused one hashed nothing
    }
    for operation, threads in seen.hashes.items():
        if operation == "(on another thread)":
            assert all(name.startswith(HASH_THREAD_NAME) for name in threads)
            continue
        assert set(threads) <= set(seen.calls[operation]), operation  # no hop to another thread
        assert all(name.startswith(PASSWORD_CALL_THREAD_NAME) for name in threads), operation
    for operation in ("CreateUserPool", "AdminGetUser", "AdminCreateUser"):
        assert not any(name.startswith(PASSWORD_CALL_THREAD_NAME) for name in seen.calls[operation])
    refresh_thread = seen.calls["InitiateAuth"][-1]  # the last InitiateAuth was the refresh
    assert not refresh_thread.startswith(PASSWORD_CALL_THREAD_NAME)


class StuckMailServer:
    """A mail server that accepts nothing until ``release``: each send waits, telling which thread
    it holds."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.waiting = threading.Semaphore(0)
        self.threads: list[str] = []

    def send(self, message: Message) -> None:
        self.threads.append(threading.current_thread().name)
        self.waiting.release()
        assert self.gate.wait(30), "the test never released the mail server"


def test_a_stuck_mail_server_holds_no_password_call_thread(
    make_wire_server: MakeWireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More email-MFA sign-ins than there are password-call threads all wait for a stuck mail
    server; a password sign-in without MFA still gets its tokens meanwhile, and when the server
    accepts the mail the waiting sign-ins get their EMAIL_OTP challenge."""
    server = make_wire_server()
    mail = StuckMailServer()
    monkeypatch.setattr(server.engine, "mailer", mail)
    idp = server.client()
    pool_id, client_id = create_pool(BotoCognitoClient(idp), name="stuck-mail", email_mfa=True)
    for name in ("carol", "dave"):
        create_user(BotoCognitoClient(idp), pool_id, name)
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username="carol",
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
    )

    def sign_in(name: str) -> dict[str, Any]:
        answer: dict[str, Any] = server.client().initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": backends.PASSWORD},
        )
        return answer

    stuck = 2 * password_call_threads_per_worker(process_cores(), 1)
    with ThreadPoolExecutor(stuck + 1) as clients:
        try:
            waiting = [clients.submit(sign_in, "carol") for _ in range(stuck)]
            for _ in range(stuck):
                assert mail.waiting.acquire(timeout=20), "an email-MFA sign-in never reached mail"
            plain = clients.submit(sign_in, "dave")
            assert "AccessToken" in plain.result(timeout=10)["AuthenticationResult"]
        finally:
            mail.gate.set()
        assert all(f.result(timeout=30)["ChallengeName"] == "EMAIL_OTP" for f in waiting)
    assert len(mail.threads) == stuck
    assert all(name.startswith(offload.THREAD_NAME) for name in mail.threads)
