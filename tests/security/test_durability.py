"""Crash safety: a pool process killed with SIGKILL at random moments never leaves a broken database.

A child process runs a loop of real state changes through the engine and appends a journal line after
each call returns (i.e. after its transaction committed). The test kills it with ``kill -9`` at random
moments, then opens the data directory with a new ``Engine`` and checks: SQLite's integrity check
passes, every committed change survived, no change is half-applied, and the engine still works.

Run as a script, this file is the child: ``python test_durability.py DATA_DIR JOURNAL ROUND``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pyotp

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api import errors
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher

PASSWORD = "Correct-Horse-9!"
IAM = "durability"
TOTP = "SOFTWARE_TOKEN_MFA"
BUDGET_SECONDS = 16.0
ROUNDS = 8


def _engine(data_dir: Path, clock: FakeClock) -> Engine:
    return Engine(data_dir, clock=clock, hasher=PasswordHasher(memory_kib=256, time_cost=1))


# --- the child -------------------------------------------------------------------------------


def worker(data_dir: Path, journal_path: Path, round_no: int) -> None:
    """Change state forever (until killed), journaling each committed change."""
    clock = FakeClock(1_800_000_015.0 + round_no * 1_000_000)
    engine = _engine(data_dir, clock)
    journal = journal_path.open("a", buffering=1)  # one write(2) per line: survives SIGKILL

    def log(event: str, name: str = "-") -> None:
        journal.write(f"{event} {name}\n")

    def admin(op: str, **params: Any) -> dict[str, Any]:
        return engine.call(op, params, iam_principal=IAM)

    pools = admin("ListUserPools", MaxResults=60)["UserPools"]
    if pools:
        pool_id = pools[0]["Id"]
    else:
        pool_id = admin(
            "CreateUserPool", PoolName="durability", UsernameConfiguration={"CaseSensitive": False}
        )["UserPool"]["Id"]
    admin(
        "SetUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    clients = admin("ListUserPoolClients", UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    if clients:
        client_id = clients[0]["ClientId"]
    else:
        client_id = admin(
            "CreateUserPoolClient",
            UserPoolId=pool_id,
            ClientName="durability",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        )["UserPoolClient"]["ClientId"]
    log("ready")

    def sign_in(name: str) -> dict[str, Any]:
        return engine.call(
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": name, "PASSWORD": PASSWORD},
            },
        )

    for i in itertools.count():
        name = f"r{round_no}u{i}"
        admin(
            "AdminCreateUser",
            UserPoolId=pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": f"{name}@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        log("created", name)
        admin(
            "AdminSetUserPassword",
            UserPoolId=pool_id,
            Username=name,
            Password=PASSWORD,
            Permanent=True,
        )
        log("password", name)
        access = sign_in(name)["AuthenticationResult"]["AccessToken"]
        secret = engine.call("AssociateSoftwareToken", {"AccessToken": access})["SecretCode"]
        engine.call(
            "VerifySoftwareToken",
            {"AccessToken": access, "UserCode": pyotp.TOTP(secret).at(clock.now())},
        )
        engine.call(
            "SetUserMFAPreference",
            {
                "AccessToken": access,
                "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
            },
        )
        log("enrolled", name)
        clock.advance(30)
        session = sign_in(name)["Session"]
        engine.call(
            "RespondToAuthChallenge",
            {
                "ClientId": client_id,
                "ChallengeName": TOTP,
                "Session": session,
                "ChallengeResponses": {
                    "USERNAME": name,
                    "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).at(clock.now()),
                },
            },
        )
        log("signed-in", name)
        if i % 2:
            admin("AdminDeleteSoftwareToken", UserPoolId=pool_id, Username=name)
            log("reset", name)
        clock.advance(30)


# --- the checks ------------------------------------------------------------------------------


def _journal(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    complete = path.read_text().split("\n")[:-1]  # a line still being written is not a record
    return [(event, name) for event, _, name in (line.partition(" ") for line in complete)]


def _check_database(data_dir: Path, journal: list[tuple[str, str]], note: str) -> None:
    conn = sqlite3.connect(data_dir / "pool.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", note
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], note
        tokens = {r["user_id"]: r for r in conn.execute("SELECT * FROM software_tokens")}
        users = {r["username"]: r for r in conn.execute("SELECT * FROM users")}
    finally:
        conn.close()

    for name, row in users.items():  # every user row is complete and coherent
        assert re.fullmatch(r"r\d+u\d+", name), note
        assert row["username_key"] == name.lower(), note
        uuid.UUID(row["sub"])
        assert row["status"] in ("FORCE_CHANGE_PASSWORD", "CONFIRMED"), (name, note)
        attributes = json.loads(row["attributes"])
        assert attributes["email"] == f"{name}@example.com", note
        assert row["password_hash"].startswith("$argon2id$"), note
        enabled = json.loads(row["mfa_enabled"])
        assert row["preferred_mfa"] is None or row["preferred_mfa"] in enabled, (name, note)
        # AdminDeleteSoftwareToken and enrolment each write the token row and the user row in one
        # transaction: TOTP listed as enabled must always come with a verified seed.
        if TOTP in enabled:
            token = tokens.get(row["id"])
            assert token is not None and token["secret"] is not None, (name, note)
            assert token["secret"].startswith("v1:"), note

    state: dict[str, str] = {}
    for event, name in journal:  # every committed change survived the kill
        if event == "ready":
            continue
        assert name in users, f"{event} {name} was committed but is lost ({note})"
        state[name] = event
    for name, event in state.items():
        enabled = json.loads(users[name]["mfa_enabled"])
        if event in ("password", "created"):
            continue
        if event in ("enrolled", "signed-in"):
            assert users[name]["status"] == "CONFIRMED", note
            assert TOTP in enabled, f"{name}: enrolment lost ({note})"
        if event == "reset":
            assert TOTP not in enabled and users[name]["preferred_mfa"] is None, note
            token = tokens.get(users[name]["id"])
            assert token is None or token["secret"] is None, f"{name}: half-applied reset ({note})"


def _check_engine_works(data_dir: Path, journal: list[tuple[str, str]], round_no: int) -> None:
    clock = FakeClock(1_800_000_015.0 + 50_000_000 + round_no * 1_000)
    engine = _engine(data_dir, clock)
    try:
        admin = {"iam_principal": IAM}
        pools = engine.call("ListUserPools", {"MaxResults": 60}, **admin)["UserPools"]
        if not pools:  # killed before the pool existed: nothing else to check
            assert not [e for e in journal if e[0] != "ready"]
            return
        assert len(pools) == 1
        pool_id = pools[0]["Id"]
        engine.call(
            "AdminCreateUser",
            {
                "UserPoolId": pool_id,
                "Username": f"r99u{round_no}",
                "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": f"r99u{round_no}@example.com"}],
            },
            **admin,
        )
        clients = engine.call(
            "ListUserPoolClients", {"UserPoolId": pool_id, "MaxResults": 60}, **admin
        )["UserPoolClients"]
        with_password = [name for event, name in journal if event == "password"]
        if clients and with_password:
            answer = engine.call(
                "InitiateAuth",
                {
                    "ClientId": clients[0]["ClientId"],
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": with_password[-1], "PASSWORD": PASSWORD},
                },
            )
            assert "AuthenticationResult" in answer or answer["ChallengeName"] == TOTP
        for name in with_password[-3:]:
            user = engine.call("AdminGetUser", {"UserPoolId": pool_id, "Username": name}, **admin)
            assert user["Username"] == name
        with engine.db.read() as conn:  # every sealed seed still opens with the data dir's key
            sealed = conn.execute(
                "SELECT user_id, secret FROM software_tokens WHERE secret IS NOT NULL"
            ).fetchall()
        for user_id, secret in sealed:
            pyotp.TOTP(engine.seal.open(secret, f"totp:{user_id}")).now()
    except errors.CognitoError as err:
        raise AssertionError(f"engine broken after a kill: {err}") from err
    finally:
        engine.db.close()


def test_sigkill_at_random_moments_never_corrupts_the_pool(tmp_path: Path) -> None:
    data_dir, journal_path = tmp_path / "pool", tmp_path / "journal.txt"
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    started = time.monotonic()
    rounds = 0
    while rounds < ROUNDS and time.monotonic() - started < BUDGET_SECONDS:
        note = f"round {rounds}, seed {seed}"
        stderr_path = tmp_path / f"child-{rounds}.err"
        ready_before = _journal(journal_path).count(("ready", "-"))
        with stderr_path.open("wb") as stderr:
            child = subprocess.Popen(
                [sys.executable, __file__, str(data_dir), str(journal_path), str(rounds)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            try:
                if rounds % 3 == 0:  # anywhere from start-up (migrations, key files) on
                    time.sleep(rng.uniform(0.0, 1.5))
                else:  # in the middle of the work loop
                    deadline = time.monotonic() + 10
                    while _journal(journal_path).count(("ready", "-")) <= ready_before:
                        assert child.poll() is None, stderr_path.read_text()
                        assert time.monotonic() < deadline, "child never became ready"
                        time.sleep(0.01)
                    time.sleep(rng.uniform(0.0, 0.6))
                assert child.poll() is None, f"child died on its own: {stderr_path.read_text()}"
            finally:
                child.kill()  # SIGKILL: no cleanup, no atexit, no flush
                child.wait()
        if not (data_dir / "pool.sqlite3").exists():
            rounds += 1
            continue
        journal = _journal(journal_path)
        _check_database(data_dir, journal, note)
        _check_engine_works(data_dir, journal, rounds)
        _check_database(data_dir, journal, note + " (after reopening)")
        rounds += 1
    assert rounds >= 4, f"only {rounds} rounds ran in the time budget"
    changes = [event for event, _ in _journal(journal_path) if event != "ready"]
    assert len(changes) >= 5, f"the child did too little work to test anything (seed {seed})"


if __name__ == "__main__":
    worker(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
