"""The rig of the race tests: one pool with TOTP on, on SQLite or PostgreSQL, and its users.

Threads share the world's engine (each thread has its own connection); a process opens its own
engine on the same data directory (its keys) and database URL, as a replica of one deployment
does. Every engine here uses cheap argon2 parameters and a fake clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api import errors
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from tests.support.engine_calls import IAM, respond_to_totp, totp_pool
from tests.support.race import run_together

PASSWORD = "Correct-Horse-9!"
TEMP_PASSWORD = "Temp-Pass-123!"
THREADS = 8
NOW = 1_800_000_015.0


def open_engine(data_dir: Path, now: float, database_url: str | None) -> Engine:
    """An engine on ``data_dir`` (and ``database_url``: None is a SQLite file), its clock at ``now``."""
    return Engine(
        data_dir,
        clock=FakeClock(now),
        hasher=PasswordHasher(memory_kib=256, time_cost=1),
        database_url=database_url,
    )


@dataclass
class RaceWorld:
    engine: Engine
    clock: FakeClock
    pool_id: str
    client_id: str
    database_url: str | None

    def admin(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, {"UserPoolId": self.pool_id, **params}, iam_principal=IAM)

    def sign_in(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        return self.engine.call(
            "InitiateAuth",
            {
                "ClientId": self.client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": username, "PASSWORD": password},
            },
        )

    def add_user(self, username: str, *, temporary: bool = False) -> None:
        """``username`` with ``PASSWORD`` (or, ``temporary``, only ``TEMP_PASSWORD`` to change)."""
        self.admin(
            "AdminCreateUser",
            Username=username,
            MessageAction="SUPPRESS",
            TemporaryPassword=TEMP_PASSWORD,
        )
        if not temporary:
            self.admin("AdminSetUserPassword", Username=username, Password=PASSWORD, Permanent=True)

    def enrol(self, username: str) -> str:
        """Turn on TOTP for ``username`` (signed in with ``PASSWORD``); the secret."""
        access = self.sign_in(username)["AuthenticationResult"]["AccessToken"]
        secret = str(
            self.engine.call("AssociateSoftwareToken", {"AccessToken": access})["SecretCode"]
        )
        self.engine.call(
            "VerifySoftwareToken",
            {"AccessToken": access, "UserCode": pyotp.TOTP(secret).at(self.clock.now())},
        )
        self.engine.call(
            "SetUserMFAPreference",
            {
                "AccessToken": access,
                "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
            },
        )
        self.clock.advance(30)  # the enrolment code's step is consumed; move to a fresh one
        return secret

    def enrolled(self, username: str) -> str:
        """A new user with TOTP on; the secret."""
        self.add_user(username)
        return self.enrol(username)

    def code(self, secret: str) -> str:
        return str(pyotp.TOTP(secret).at(self.clock.now()))

    def in_threads(self, attempts: Sequence[Callable[[], Any]]) -> list[Any]:
        """``run_together``, each thread giving back its connection when done."""
        return run_together(attempts, after_each=self.engine.db.close)


@contextmanager
def race_world(data_dir: Path, database_url: str | None) -> Iterator[RaceWorld]:
    """A fresh pool with TOTP on (MFA OPTIONAL) and one app client, at ``NOW``."""
    engine = open_engine(data_dir, NOW, database_url)
    assert isinstance(engine.clock, FakeClock)
    try:
        pool_id, client_id = totp_pool(engine, "race")
        yield RaceWorld(engine, engine.clock, pool_id, client_id, database_url)
    finally:
        engine.db.close_all()


def answer_totp(engine: Engine, client_id: str, session: str, code: str) -> str:
    """alice's answer as an outcome: "tokens", the Cognito error's code, or "other"."""
    try:
        response = respond_to_totp(engine, client_id, session, code)
    except errors.CognitoError as err:
        return err.code
    return "tokens" if "AuthenticationResult" in response else "other"


def answer_totp_in_a_process(
    data_dir: str,
    database_url: str | None,
    client_id: str,
    session: str,
    code: str,
    now: float,
    start_line: Any,
    results: Any,
) -> None:
    """A ``run_in_processes`` target: a replica's own engine on the shared keys and database,
    its clock at the same instant, answering once every replica is open."""
    try:
        engine = open_engine(Path(data_dir), now, database_url)
        try:
            start_line.wait(60)
            results.put(answer_totp(engine, client_id, session, code))
        finally:
            engine.db.close_all()
    except BaseException as exc:  # reported, so the parent fails with the reason
        results.put(f"crash: {exc!r}")
