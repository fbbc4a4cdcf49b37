"""One deployment, several replicas: ``mfa-portal serve`` processes sharing PostgreSQL and Redis.

Each replica is the real command on its own port and its own (empty) data directory, with what an
operator gives every replica of one deployment: ``MFA_PORTAL_DATABASE_URL``, ``MFA_PORTAL_REDIS_URL``,
the session secret, the pool's seed and signing keys (as files, the way mounted secrets arrive), the
pool's access key pair and one public URL (token issuers are built from it). Nothing else is shared:
no file of one replica is visible to another.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mfa_portal.wiring.bootstrap import PoolIds, load_ids
from tests.support.signin_forms import CSRF
from tests.support.wire import boto3_session
from tests.support.wire_server import free_port

EXE = str(Path(sys.executable).parent / "mfa-portal")
ADMIN_TEMP = "Admin-Temp-123!"
PUBLIC_URL = "http://portal.example.test"  # the load balancer's name: one issuer for every replica
START_TIMEOUT = 60.0


def rsa_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass(frozen=True)
class SharedSecrets:
    """The secrets every replica of the deployment holds: files under ``directory`` plus a key pair."""

    directory: Path
    access_key_id: str = "AKIAREPLICATESTKEY01"
    secret_access_key: str = "replica-test-secret-access-key-0123456789"

    @classmethod
    def create(cls, directory: Path) -> SharedSecrets:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "seed.key").write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
        (directory / "id-token.pem").write_bytes(rsa_pem())
        (directory / "access-token.pem").write_bytes(rsa_pem())
        (directory / "session-secret").write_text(base64.urlsafe_b64encode(os.urandom(48)).decode())
        for path in directory.iterdir():
            path.chmod(0o600)
        return cls(directory)

    def env(self) -> dict[str, str]:
        d = self.directory
        return {
            "MFA_PORTAL_SECRET_KEY_FILE": str(d / "session-secret"),
            "MFA_PORTAL_POOL_SEED_KEY_FILE": str(d / "seed.key"),
            "MFA_PORTAL_POOL_ID_TOKEN_KEY_FILE": str(d / "id-token.pem"),
            "MFA_PORTAL_POOL_ACCESS_TOKEN_KEY_FILE": str(d / "access-token.pem"),
            "MFA_PORTAL_POOL_ACCESS_KEY_ID": self.access_key_id,
            "MFA_PORTAL_POOL_SECRET_ACCESS_KEY": self.secret_access_key,
        }


@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    data_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL to the replica's every process, as when its machine dies: no shutdown handler
        runs, open transactions and connections just vanish. (Killing only the serving command
        would let its workers finish their requests and stop cleanly, ``cli.parent_watch``.)"""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Deployment:
    root: Path
    database_url: str
    redis_url: str
    secrets: SharedSecrets
    replicas: list[Replica] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment (no MFA_PORTAL_* of the test run) with the deployment's settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MFA_PORTAL_")}
        env.pop("FORWARDED_ALLOW_IPS", None)
        env.update(self.secrets.env())
        env.update(
            MFA_PORTAL_DATABASE_URL=self.database_url,
            MFA_PORTAL_REDIS_URL=self.redis_url,
            MFA_PORTAL_PUBLIC_URL=PUBLIC_URL,
            MFA_PORTAL_INITIAL_ADMIN_PASSWORD=ADMIN_TEMP,
            # Users get permanent passwords here; the emailed proof has its own tests.
            MFA_PORTAL_ENROLMENT_PROOF="none",
            MFA_PORTAL_MODE="development",  # notices go to the outbox (in the database)
        )
        env.update(extra)
        return env

    def launch(self, name: str, **extra: str) -> Replica:
        """Start a replica without waiting for it (see ``wait``)."""
        port = free_port()
        data_dir = self.root / name
        log = self.root / f"{name}.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                [EXE, "serve", "--port", str(port), "--data-dir", str(data_dir)],
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=self.env(**extra),
                cwd=self.root,  # no stray .env
                start_new_session=True,  # its own process group, for ``Replica.kill``
            )
        replica = Replica(name, port, proc, log, data_dir)
        self.replicas.append(replica)
        return replica

    @staticmethod
    def wait(replica: Replica) -> Replica:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx.get(replica.url + "/signin", timeout=2).status_code == 200:
                    return replica
            except httpx.TransportError:
                pass
            if replica.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"replica {replica.name} did not start:\n{replica.output()}")
            time.sleep(0.1)

    def start(self, name: str, **extra: str) -> Replica:
        return self.wait(self.launch(name, **extra))

    def ids(self) -> PoolIds:
        """The default pool every replica serves (remembered by the first replica's data dir)."""
        for replica in self.replicas:
            ids = load_ids(replica.data_dir)
            if ids is not None:
                return ids
        raise AssertionError("no replica has remembered a pool yet")

    def idp(self, replica: Replica) -> Any:
        """boto3 ``cognito-idp`` on ``replica``'s ``/cognito``, signed with the shared key pair."""
        return boto3_session().client(
            "cognito-idp",
            region_name="us-east-1",
            endpoint_url=f"{replica.url}/cognito",
            aws_access_key_id=self.secrets.access_key_id,
            aws_secret_access_key=self.secrets.secret_access_key,
        )

    def cli(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        """``mfa-portal …`` as support runs it: its own data directory, the shared database."""
        data_dir = self.root / "support-desk"
        return subprocess.run(
            [EXE, *args],
            env=self.env(MFA_PORTAL_DATA_DIR=str(data_dir), **extra),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def stop(self) -> None:
        for replica in self.replicas:
            replica.stop()


class Visitor:
    """One browser: one cookie jar, whichever replica the load balancer sends a request to."""

    def __init__(self) -> None:
        self.http = httpx.Client(follow_redirects=False, timeout=30)
        self.csrf = ""

    def get(self, replica: Replica, path: str) -> httpx.Response:
        response = self.http.get(replica.url + path)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, replica: Replica, path: str, data: dict[str, str]) -> httpx.Response:
        response = self.http.post(replica.url + path, data={"csrf_token": self.csrf, **data})
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def follow(self, replica: Replica, response: httpx.Response) -> httpx.Response:
        while response.status_code in (302, 303):
            response = self.get(replica, response.headers["location"])
        return response

    def at(self, replica: Replica) -> VisitorAt:
        """This browser with every request sent to ``replica`` (``signin_forms.Forms``)."""
        return VisitorAt(self, replica)

    def close(self) -> None:
        self.http.close()


@dataclass(frozen=True)
class VisitorAt:
    visitor: Visitor
    replica: Replica

    def get(self, path: str) -> httpx.Response:
        return self.visitor.get(self.replica, path)

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self.visitor.post(self.replica, path, data)
