"""The installed ``mfa-portal`` command as a child process, and data directories to start it on.

Start-up refusals are only worth something at the level a user meets them: the real command, its
exit status and what it prints. ``start`` returns ``None`` as the exit status when the command did
not stop by itself (it was serving), which is the failure these tests guard against.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp

from mfa_portal.pool.client import EngineCognitoClient
from mfa_portal.pool.credentials import Credentials
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from tests.support.backends import PASSWORD
from tests.support.setup import create_pool
from tests.support.wire_server import free_port

EXE = str(Path(sys.executable).parent / "mfa-portal")
USER_UMASK = 0o022  # a usual login shell's: files are world-readable unless the program says not


@dataclass
class Outcome:
    returncode: int | None  # None: still running after the timeout (it started serving)
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return self.stderr.strip().splitlines()


def child_env(**extra: str) -> dict[str, str]:
    """This environment without any MFA_PORTAL_* setting of the test run, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MFA_PORTAL_")}
    env.setdefault("MFA_PORTAL_INITIAL_ADMIN_PASSWORD", "Initial-Admin-9!")
    env.update(extra)
    return env


#: Run a command as root without the capabilities that let root ignore file permissions, so a
#: read-only directory is read-only to it too (the test suite runs as root in CI).
WITHOUT_DAC_OVERRIDE = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def start(
    args: list[str],
    cwd: Path,
    env: dict[str, str],
    timeout: float = 20,
    prefix: list[str] | None = None,
) -> Outcome:
    """Run ``mfa-portal *args`` (after ``prefix``, e.g. ``WITHOUT_DAC_OVERRIDE``); stop it if it is
    still running after ``timeout`` seconds."""
    proc = subprocess.Popen(
        [*(prefix or []), EXE, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        umask=USER_UMASK,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        return Outcome(proc.returncode, out, err)
    except subprocess.TimeoutExpired:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
        return Outcome(None, out, err)


@dataclass
class Running:
    url: str
    proc: subprocess.Popen[str]
    stdout: str = ""  # both filled in once the server has been stopped
    stderr: str = ""


@contextmanager
def serving(args: list[str], cwd: Path, env: dict[str, str]) -> Iterator[Running]:
    """``mfa-portal *args --port <free>`` until it answers HTTP; stopped on exit."""
    port = free_port()
    proc = subprocess.Popen(
        [EXE, *args, "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        umask=USER_UMASK,
    )
    url = f"http://127.0.0.1:{port}"
    running = Running(url, proc)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out, err = proc.communicate(timeout=10) if proc.poll() is not None else ("", "")
                    raise RuntimeError(f"mfa-portal did not start: {out}{err}") from None
                time.sleep(0.1)
        yield running
    finally:
        proc.terminate()
        try:
            running.stdout, running.stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            running.stdout, running.stderr = proc.communicate()


def enrolled_data_dir(data_dir: Path) -> Path:
    """A data directory holding a pool with one user enrolled in TOTP (a sealed seed, tokens)."""
    Credentials.load_or_create(data_dir, env={})
    engine = Engine(data_dir, hasher=PasswordHasher(memory_kib=256, time_cost=1))
    try:
        idp = EngineCognitoClient(engine)
        pool_id, client_id = create_pool(idp)
        idp.call("AdminCreateUser", UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
        idp.call(
            "AdminSetUserPassword",
            UserPoolId=pool_id,
            Username="alice",
            Password=PASSWORD,
            Permanent=True,
        )
        signed_in = idp.call(
            "InitiateAuth",
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
        access = signed_in["AuthenticationResult"]["AccessToken"]
        secret = idp.call("AssociateSoftwareToken", AccessToken=access)["SecretCode"]
        code = pyotp.TOTP(secret).now()
        idp.call("VerifySoftwareToken", AccessToken=access, UserCode=code)
    finally:
        engine.db.close_all()
    return data_dir
