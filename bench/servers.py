"""Start the three Cognito-compatible servers side by side on loopback for one benchmark run.

- the embedded pool: ``mfa-portal pool serve`` (production argon2 parameters — the real cost)
- moto's server (``moto[server]``, installed with the test extras)
- cognito-local, from the npm registry into ``bench/.cache`` (not committed); skipped with a note if npm fails
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"


@dataclass
class Server:
    name: str
    endpoint: str
    key: str
    secret: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {proc.returncode}")
        with suppress(httpx.HTTPError):
            httpx.get(url, timeout=1)
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url}: server did not start")


@contextmanager
def _process(
    cmd: list[str], url: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Iterator[None]:
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(url, proc)
        yield
    finally:
        proc.terminate()
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        if proc.poll() is None:
            proc.kill()


@contextmanager
def embedded_pool() -> Iterator[Server]:
    port = _free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        exe = str(Path(sys.executable).parent / "mfa-portal")
        url = f"http://127.0.0.1:{port}"
        with _process([exe, "pool", "serve", "--port", str(port), "--data-dir", data_dir], url):
            creds = json.loads((Path(data_dir) / "credentials.json").read_text())
            yield Server("mfa-portal", url, creds["AccessKeyId"], creds["SecretAccessKey"])


@contextmanager
def moto_server() -> Iterator[Server]:
    port = _free_port()
    exe = str(Path(sys.executable).parent / "moto_server")
    url = f"http://127.0.0.1:{port}"
    with _process(
        [exe, "-p", str(port)],
        url + "/moto-api/",
        env={"MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true"},
    ):
        yield Server("moto", url, "k", "s")


def install_cognito_local() -> Path | None:
    exe = CACHE / "node_modules" / ".bin" / "cognito-local"
    if exe.exists():
        return exe
    if shutil.which("npm") is None:
        return None
    CACHE.mkdir(exist_ok=True)
    result = subprocess.run(
        ["npm", "install", "--silent", "--prefix", str(CACHE), "cognito-local@5"],
        capture_output=True,
        timeout=600,
    )
    return exe if result.returncode == 0 and exe.exists() else None


@contextmanager
def cognito_local() -> Iterator[Server | None]:
    exe = install_cognito_local()
    if exe is None:
        yield None
        return
    port = _free_port()
    with tempfile.TemporaryDirectory() as workdir:
        url = f"http://127.0.0.1:{port}"
        with _process([str(exe)], url + "/health", env={"PORT": str(port)}, cwd=Path(workdir)):
            yield Server("cognito-local", url, "k", "s")
