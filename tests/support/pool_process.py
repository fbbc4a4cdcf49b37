"""``mfa-portal pool serve`` as a real child process, the way a user starts it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from tests.support.wire_server import free_port


@dataclass
class PoolProcess:
    endpoint: str
    access_key_id: str
    secret_access_key: str
    output: list[str]
    log: Path  # everything the server writes, readable while it runs
    pid: int = 0  # the server's (parent) process
    port: int = 0
    workers: int = 1

    @property
    def base_url(self) -> str:
        """scheme://host:port, whatever path the pool answers at."""
        return self.endpoint.removesuffix("/cognito")

    def idp(self, config: Config | None = None) -> Any:
        """boto3's ``cognito-idp`` client for this server, with its key pair."""
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            config=config,
        )

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": "us-east-1",
        }


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without mail, mode or log settings of the developer's, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MFA_PORTAL_SMTP_", "MFA_PORTAL_LOG_")) and k != "MFA_PORTAL_MODE"
    }
    return {**env, **(extra or {})}


@contextmanager
def pool_serve(
    data_dir: Path, env: dict[str, str] | None = None, *, workers: int | None = 1
) -> Iterator[PoolProcess]:
    """``mfa-portal pool serve``; ``env`` is added to a clean environment. ``output`` fills when it
    ends. ``workers`` is ``--workers`` (None: not given, as a user who sets none)."""
    with _serving(["pool", "serve"], data_dir, "", env, workers) as server:
        yield server


@contextmanager
def portal_serve(
    data_dir: Path, env: dict[str, str] | None = None, *, workers: int | None = 1
) -> Iterator[PoolProcess]:
    """``mfa-portal serve``, as a pool: its wire front at ``/cognito`` (the portal's own pool)."""
    with _serving(["serve"], data_dir, "/cognito", env, workers) as server:
        yield server


@contextmanager
def _serving(
    command: list[str],
    data_dir: Path,
    path: str,
    env: dict[str, str] | None,
    workers: int | None,
) -> Iterator[PoolProcess]:
    port = free_port()
    exe = str(Path(sys.executable).parent / "mfa-portal")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"{data_dir.name}-{'-'.join(command)}.out"
    args = ["--port", str(port), "--data-dir", str(data_dir)]
    args += [] if workers is None else ["--workers", str(workers)]
    with log.open("w") as sink:  # a file, not a pipe: a busy server never blocks on its output
        proc = subprocess.Popen(
            [exe, *command, *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env=clean_env(env),
            cwd=data_dir.parent,  # no stray .env of the caller's
        )
    output: list[str] = []
    endpoint = f"http://127.0.0.1:{port}{path}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(endpoint + "/", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{' '.join(command)} did not start: {log.read_text()}"
                    ) from None
                time.sleep(0.1)
        creds = json.loads((data_dir / "credentials.json").read_text())
        yield PoolProcess(
            endpoint,
            creds["AccessKeyId"],
            creds["SecretAccessKey"],
            output,
            log,
            proc.pid,
            port,
            workers or 0,
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        output.extend(log.read_text().splitlines())
