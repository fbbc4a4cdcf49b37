"""The Cognito-compatible servers the bench and the comparison tool call, each as an endpoint and a key.

- the embedded pool: ``mfa-portal pool serve`` (production argon2 parameters — the real cost)
- moto's server (``moto[server]``, installed with the test extras)
- cognito-local, from the npm registry into ``bench/.cache`` (not committed; ``make bench-deps``)

They run under ``bench.serving.process``, like the servers under test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import serving

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"


@dataclass
class Server:
    name: str
    endpoint: str
    key: str
    secret: str


def pool_server(running: serving.Running, data_dir: Path) -> Server:
    """``pool serve`` as a Server, once it answers (its key pair is then in ``data_dir``)."""
    running.ready()
    creds = json.loads((data_dir / "credentials.json").read_text())
    return Server("mfa-portal", running.url, creds["AccessKeyId"], creds["SecretAccessKey"])


@contextmanager
def embedded_pool() -> Iterator[Server]:
    """``pool serve`` on a fresh data directory, with the server's default number of workers."""
    with tempfile.TemporaryDirectory() as data_dir:
        with serving.pool_serve(Path(data_dir), None, None) as running:
            yield pool_server(running, Path(data_dir))


@contextmanager
def moto_server(logs: Path | None = None) -> Iterator[Server]:
    port = serving.free_port()
    exe = str(serving.BIN / "moto_server")
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true"}
    log = logs / f"moto-{port}.log" if logs else None
    with serving.process([exe, "-p", str(port)], url + "/moto-api/", log, env=env):
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


def cognito_local_version() -> str:
    package = CACHE / "node_modules" / "cognito-local" / "package.json"
    try:
        return str(json.loads(package.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "unknown"


@contextmanager
def cognito_local(logs: Path | None = None) -> Iterator[Server | None]:
    """cognito-local on a free port, or None when it cannot be installed."""
    exe = install_cognito_local()
    if exe is None:
        yield None
        return
    port = serving.free_port()
    with tempfile.TemporaryDirectory() as workdir:
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PORT": str(port)}
        log = logs / f"cognito-local-{port}.log" if logs else None
        with serving.process([str(exe)], url + "/health", log, env=env, cwd=Path(workdir)):
            yield Server("cognito-local", url, "k", "s")
