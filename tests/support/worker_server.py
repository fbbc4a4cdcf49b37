"""Multi-worker servers for tests, and a way to reach every one of their workers.

``served_pool`` and ``served_portal`` start what ``mfa-portal pool serve --workers N`` and ``mfa-portal
serve --workers N`` start (first start in the parent, then uvicorn spawning N workers on one socket,
each building the app with the same wiring), with two test-only changes the real command line cannot
take: a clock that the test moves through a file (``FileClock``: every worker reads it) and a cheap
password hash. The command line itself is tested as shipped in ``tests/integration/test_workers.py``.

``on_every_worker`` sends a request on fresh connections until each worker process has answered at
least once, and says which worker answered which: it finds the process holding the server's end of
each connection in ``/proc`` (Linux), so the servers need no test hook that tells who answered.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from starlette.types import ASGIApp

from mfa_portal.cli.parent_watch import stop_with_parent
from mfa_portal.pool.passwords import PasswordHasher
from tests.support.portal import Browser, PortalWorld
from tests.support.wire_server import free_port

SPEC_VARIABLE = "_MFA_PORTAL_TEST_WORKERS"
ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


class FileClock:
    """Wall-clock time plus an offset kept in a file: every worker process reads the same one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            path.write_text("0")

    def now(self) -> float:
        return time.time() + float(self.path.read_text() or "0")

    def advance(self, seconds: float) -> None:
        offset = float(self.path.read_text() or "0") + seconds
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(repr(offset))
        os.replace(tmp, self.path)  # a worker never reads half a number


def fast_hasher() -> PasswordHasher:
    return PasswordHasher(memory_kib=1024, time_cost=1)


@dataclass
class ServedProcess:
    base_url: str
    port: int
    process: subprocess.Popen[str]
    clock: FileClock
    data_dir: Path
    workers: int
    log: Path

    @property
    def server(self) -> Workers:
        return Workers(self.port, self.process.pid, self.workers)

    def credentials(self) -> tuple[str, str]:
        saved = json.loads((self.data_dir / "credentials.json").read_text())
        return str(saved["AccessKeyId"]), str(saved["SecretAccessKey"])


# --- in the worker processes --------------------------------------------------------------------


def _spec() -> dict[str, Any]:
    return dict(json.loads(os.environ[SPEC_VARIABLE]))


def pool_app() -> ASGIApp:
    """A worker of the multi-worker pool: ``pool serve``'s app on the shared clock file."""
    from mfa_portal.pool.standalone import build_standalone

    stop_with_parent()  # as the command's workers do
    spec = _spec()
    pool = build_standalone(
        Path(spec["data_dir"]),
        port=spec["port"],
        clock=FileClock(Path(spec["clock"])),
        hasher=fast_hasher(),
    )
    return pool.app


def portal_app() -> ASGIApp:
    """A worker of the multi-worker portal: ``serve``'s app on the shared clock file."""
    from mfa_portal.settings import load_settings
    from mfa_portal.wiring.app import serving_app
    from mfa_portal.wiring.backend import open_embedded

    stop_with_parent()  # as the command's workers do
    spec = _spec()
    settings = load_settings(**spec["settings"])
    backend = open_embedded(
        settings,
        base_url=spec["base_url"],
        clock=FileClock(Path(spec["clock"])),
        hasher=fast_hasher(),
    )
    return serving_app(backend)


# --- in the test process ------------------------------------------------------------------------


def portal_settings(data_dir: Path) -> dict[str, Any]:
    return {
        "backend": "embedded",
        "data_dir": str(data_dir),
        "cookie_secure": "auto",
        "enrolment_proof": "none",
        "initial_admin_password": "Admin-Temp-123!",
    }


@contextmanager
def served_pool(data_dir: Path, workers: int = 2) -> Iterator[ServedProcess]:
    """The embedded pool on ``workers`` processes; its first start done here, once."""
    from mfa_portal.pool.credentials import Credentials
    from mfa_portal.pool.engine import Engine

    Credentials.load_or_create(data_dir, env={})
    Engine(data_dir, hasher=fast_hasher()).db.close_all()
    with _serving("pool_app", data_dir, workers, {}, "off") as served:
        yield served


@contextmanager
def served_portal(data_dir: Path, workers: int = 2) -> Iterator[ServedProcess]:
    """``serve`` on ``workers`` processes (portal at ``/``, pool at ``/cognito``)."""
    from mfa_portal.settings import load_settings
    from mfa_portal.wiring.app import serving_app
    from mfa_portal.wiring.backend import open_embedded

    settings = portal_settings(data_dir)
    port = free_port()
    backend = open_embedded(
        load_settings(**settings), base_url=f"http://127.0.0.1:{port}", hasher=fast_hasher()
    )
    serving_app(backend)  # the portal's secret key, as serve's first start makes it
    backend.close()
    extra = {"settings": settings, "base_url": f"http://127.0.0.1:{port}"}
    with _serving("portal_app", data_dir, workers, extra, "on", port) as served:
        yield served


@contextmanager
def _serving(
    factory: str,
    data_dir: Path,
    workers: int,
    extra: dict[str, Any],
    lifespan: str,
    port: int | None = None,
) -> Iterator[ServedProcess]:
    port = port or free_port()
    clock = FileClock(data_dir.parent / f"{data_dir.name}.clock")
    spec = {"data_dir": str(data_dir), "port": port, "clock": str(clock.path), **extra}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MFA_PORTAL_")},
        SPEC_VARIABLE: json.dumps(spec),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    code = (
        "import uvicorn; uvicorn.run("
        f"'tests.support.worker_server:{factory}', factory=True, workers={workers}, "
        f"host='127.0.0.1', port={port}, http='auto', loop='auto', ws='none', "
        f"lifespan='{lifespan}', log_level='warning')"
    )
    log = data_dir.parent / f"{data_dir.name}-workers.out"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=ROOT,
        )
    served = ServedProcess(f"http://127.0.0.1:{port}", port, process, clock, data_dir, workers, log)
    try:
        wait_until_every_worker_answers(served.server, process, log)
        yield served
    finally:
        stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()  # SIGTERM to the parent: it stops its workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_every_worker_answers(
    server: Workers, process: subprocess.Popen[str], log: Path, timeout: float = 60
) -> None:
    """Return once each of the server's workers has answered a request (it is serving)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()}")
        if len(worker_pids(server.parent)) >= server.count:
            try:
                on_every_worker(server, lambda conn: _get(conn, "/"), timeout=1)
                return
            except (AssertionError, OSError):
                pass
        time.sleep(0.1)
    raise RuntimeError(f"not every worker answered: {log.read_text()}")


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def worker_pids(parent: int) -> set[int]:
    """The child processes of ``parent`` (its workers, and any helper multiprocessing starts)."""
    children: set[int] = set()
    task_dir = Path(f"/proc/{parent}/task")
    for task in task_dir.iterdir() if task_dir.exists() else []:
        text = (task / "children").read_text() if (task / "children").exists() else ""
        children.update(int(pid) for pid in text.split())
    return children


def spawned_workers(parent: int) -> set[int]:
    """The children of ``parent`` that are uvicorn workers (not multiprocessing's helpers)."""
    return {
        pid
        for pid in worker_pids(parent)
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        and b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    }


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server's end of the connection from ``client_port`` (``/proc/net/tcp``)."""
    wanted = (f"{server_port:04X}", f"{client_port:04X}")
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = fields[1].rsplit(":", 1)[1], fields[2].rsplit(":", 1)[1]
            if (local, remote) == wanted:
                return fields[9]
    return None


@dataclass(frozen=True)
class Workers:
    """A multi-worker server as ``on_every_worker`` sees it: its port, parent and worker count."""

    port: int
    parent: int
    count: int


def serving_worker(server: Workers, client_port: int) -> int | None:
    """The worker process holding the server's end of the connection from ``client_port``."""
    inode = _socket_inode(server.port, client_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in worker_pids(server.parent):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


def on_every_worker(
    server: Workers,
    send: Callable[[http.client.HTTPConnection], T],
    *,
    timeout: float = 30.0,
) -> dict[int, list[T]]:
    """``send`` on fresh connections until every worker answered (workers still starting are
    waited for); what each worker answered."""
    answers: dict[int, list[T]] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            result = send(conn)  # the answer is read: a worker has accepted the connection
            assert conn.sock is not None, "the server closed the connection"
            pid = serving_worker(server, conn.sock.getsockname()[1])
        finally:
            conn.close()
        if pid is not None:
            answers.setdefault(pid, []).append(result)
        if len(answers) >= server.count:
            return answers
    raise AssertionError(f"only {len(answers)} of {server.count} workers answered")


def cognito_call(
    operation: str, body: dict[str, Any], path: str = "/"
) -> Callable[[http.client.HTTPConnection], tuple[int, dict[str, Any]]]:
    """A public (unsigned) Cognito call, as boto3 sends it: status and decoded answer."""

    def send(conn: http.client.HTTPConnection) -> tuple[int, dict[str, Any]]:
        conn.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
            },
        )
        response = conn.getresponse()
        return response.status, dict(json.loads(response.read() or b"{}"))

    return send


class ServerBrowser(Browser):
    """The portal tests' form-filling browser, over real HTTP to a running server."""

    def __init__(self, base_url: str) -> None:
        # The same calls as the in-process TestClient (get, post, cookies), on a real socket.
        self.http = httpx.Client(base_url=base_url, follow_redirects=False)  # type: ignore[assignment]
        self.csrf = ""
        self.last: httpx.Response | None = None


@dataclass
class ServedPortalWorld(PortalWorld):
    """A ``PortalWorld`` whose portal is a multi-worker ``serve`` process: browsers speak HTTP."""

    base_url: str = ""

    def browser(self, app: Any = None, **overrides: Any) -> Browser:
        assert app is None and not overrides, "a served portal has its settings fixed at start"
        return ServerBrowser(self.base_url)


def served_portal_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int = 2
) -> Iterator[PortalWorld]:
    """The portal tests' world on ``serve`` with ``workers`` processes (pool at ``/cognito``)."""
    from mfa_portal.cognito_api.client import BotoCognitoClient
    from mfa_portal.settings import load_settings
    from tests.support.backends import boto_client

    for name in list(os.environ):
        if name.startswith("MFA_PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    with served_portal(tmp_path / "portal", workers=workers) as served:
        ids = json.loads((served.data_dir / "portal.json").read_text())
        yield ServedPortalWorld(
            "workers",
            BotoCognitoClient(boto_client(served.base_url + "/cognito", *served.credentials())),
            ids["user_pool_id"],
            ids["client_id"],
            served.clock,
            load_settings(**portal_settings(served.data_dir)),
            None,
            served.data_dir,
            base_url=served.base_url,
        )
