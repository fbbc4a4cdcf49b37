"""Start the servers under test as the user would, and read what they cost in memory.

- ``mfa-portal serve`` and ``mfa-portal pool serve`` from the venv's console script, with
  ``--workers N`` when the installed version offers it (read from ``--help``: the same harness
  measures a single-process build and a multi-worker one) and ``--database-url`` for PostgreSQL;
- the floor: a bare Starlette app answering 200 at once, on uvicorn with httptools and N workers;
- ``process``, which the reference servers (``bench.servers``) start under too.

Each server writes its output to a log file in the bench's work directory, so a server that fails
to start says why.
"""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
INITIAL_ADMIN_PASSWORD = "Admin-Temp-123!"
FLOOR_APP = """\
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route


async def ok(request):
    return Response(b"", status_code=200)


app = Starlette(routes=[Route("/auth/verify", ok)])
"""


@dataclass(frozen=True)
class Running:
    """A started server: where it answers, its process id and how many workers it runs.

    ``ready()`` waits until it answers; servers started with ``wait=False`` start side by side and
    are waited for together.
    """

    url: str
    pid: int
    workers: int
    ready: Callable[[], None] = lambda: None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@functools.cache
def supports_workers(*command: str) -> bool:
    """True when ``mfa-portal <command> --help`` lists ``--workers``."""
    out = subprocess.run(
        [str(BIN / "mfa-portal"), *command, "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=60,
    )
    return "--workers" in out.stdout


# What uvicorn logs in each worker: the first once its app is built (and the ASGI lifespan
# messages around the app's own start-up, for an app that has one), just before it listens.
STARTED = "Started server process"
LIFESPAN_BEGUN = "Waiting for application startup."
LIFESPAN_DONE = "Application startup complete."


def _wait(
    url: str,
    proc: subprocess.Popen[bytes],
    log: Path | None,
    workers: int = 1,
    seconds: float = 120,
) -> None:
    """Until ``url`` answers and, with several workers, every worker has logged its start.

    The first worker up answers the probe while the others may still be building their app; a
    load generator that connects then puts every connection on that one worker (wrk keeps its
    connections for the whole run), which halved some runs' figures."""
    see = f"; see {log}" if log else ""
    deadline = time.monotonic() + seconds
    answered = False
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: exited with {proc.returncode}{see}")
        if not answered:
            with suppress(httpx.HTTPError):
                httpx.get(url, timeout=1)
                answered = True
        if answered and (workers <= 1 or log is None or _started(log) >= workers):
            return
        time.sleep(0.2)
    what = "answer" if not answered else f"start all {workers} workers"
    raise RuntimeError(f"{url}: did not {what} within {seconds:.0f} s{see}")


def _started(log: Path) -> int:
    """Workers that have built their app and finished its start-up, as the log says."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0
    starting = text.count(LIFESPAN_BEGUN) - text.count(LIFESPAN_DONE)
    return text.count(STARTED) - max(starting, 0)


@contextmanager
def process(
    cmd: list[str],
    probe: str,
    log: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    wait: bool = True,
    workers: int = 1,
) -> Iterator[tuple[subprocess.Popen[bytes], Callable[[], None]]]:
    """Run ``cmd`` in its own process group until the block ends; yield it and a function that
    waits until ``probe`` answers and ``workers`` workers have started (already called unless
    ``wait`` is False). Its output goes to ``log`` (or nowhere)."""
    with log.open("wb") if log else open(os.devnull, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            env=env if env is not None else dict(os.environ),
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the workers die with the group
        )
    try:
        ready = functools.partial(_wait, probe, proc, log, workers)
        if wait:
            ready()
        yield proc, ready
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def portal_env(data_dir: Path) -> dict[str, str]:
    """The environment without the caller's MFA_PORTAL_* settings, plus what the bench needs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MFA_PORTAL_")}
    env.update(
        {
            "MFA_PORTAL_MODE": "development",  # plain-HTTP cookies on loopback
            "MFA_PORTAL_INITIAL_ADMIN_PASSWORD": INITIAL_ADMIN_PASSWORD,
            "MFA_PORTAL_ENROLMENT_PROOF": "none",
            "MFA_PORTAL_DATA_DIR": str(data_dir),
        }
    )
    return env


@contextmanager
def mfa_portal(
    command: tuple[str, ...],
    probe: str,
    data_dir: Path,
    workers: int | None,
    logs: Path | None,
    wait: bool = True,
    database_url: str | None = None,
) -> Iterator[Running]:
    """``mfa-portal <command>`` on a free port: ``--workers`` when this build has it (None: the
    server's default), ``--database-url`` when given (else SQLite files in ``data_dir``)."""
    port = free_port()
    cmd = [str(BIN / "mfa-portal"), *command, "--port", str(port), "--data-dir", str(data_dir)]
    used = 1
    if workers is not None and supports_workers(*command):
        cmd += ["--workers", str(workers)]
        used = workers
    if database_url:
        cmd += ["--database-url", database_url]
    url = f"http://127.0.0.1:{port}"
    log = logs / f"{'-'.join(command)}-{port}.log" if logs else None
    env = portal_env(data_dir)
    with process(cmd, url + probe, log, env=env, wait=wait, workers=used) as (proc, ready):
        yield Running(url, proc.pid, used, ready)


# The two commands under test: mfa_portal's first two arguments bound.
pool_serve = functools.partial(mfa_portal, ("pool", "serve"), "/")  # the pool on Cognito's wire
portal_serve = functools.partial(mfa_portal, ("serve",), "/signin")  # portal + embedded pool


@contextmanager
def starlette_floor(workers: int, work: Path, wait: bool = True) -> Iterator[Running]:
    """The bare Starlette app on uvicorn, httptools, ``workers`` processes."""
    (work / "bench_floor.py").write_text(FLOOR_APP)
    port = free_port()
    cmd = [str(BIN / "python"), "-m", "uvicorn", "bench_floor:app", "--port", str(port)]
    cmd += ["--http", "httptools", "--workers", str(workers), "--log-level", "info"]
    cmd += ["--no-access-log"]  # info for the workers' start lines, which ``ready`` waits for
    url = f"http://127.0.0.1:{port}"
    log = work / f"floor-{port}.log"
    probe = url + "/auth/verify"
    with process(cmd, probe, log, cwd=work, wait=wait, workers=workers) as (proc, ready):
        yield Running(url, proc.pid, workers, ready)


def _children(pid: int) -> list[int]:
    """Children of every thread of ``pid`` (a worker may be started from any thread)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _vm_rss_kib(pid: int) -> int:
    with suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def rss_mib(pid: int) -> float:
    """VmRSS of ``pid`` and all its descendants (the supervisor and every worker), in MiB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _vm_rss_kib(current)
        todo += _children(current)
    return total / 1024
