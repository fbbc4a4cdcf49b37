"""Serving on every core: ``--workers N`` processes behind one listening socket.

Python runs one request handler at a time per process, so one process uses one core. With N workers
the parent process does the start-up work once (under ``wiring.start_lock``: creating the data
directory, the pool, its keys and the first admin, running migrations), prints the sign-in
instructions once, then uvicorn binds the socket and starts N worker processes. Each worker is a
fresh interpreter (spawned, not forked: no SQLite connection or lock crosses a fork) that builds the
app again from the same settings and finds everything already there. Every worker shares the data
directory: the SQLite files (WAL mode) hold all state that matters between requests (sessions,
lockouts, rate limits, revocations), and what a worker caches is checked against the database
(``pool.config_cache``). The parent also creates the machine's argon2 slots (``pool.hash_slots``),
which every worker joins, so the workers together hash no more passwords at once than there are
cores, and a start barrier: no worker accepts a connection before every worker has built its app
(``wiring.start_barrier``). SIGINT or SIGTERM to the parent stops every worker; a worker that dies is
replaced; a worker whose parent is gone (killed with SIGKILL) stops (``parent_watch``).

With one worker nothing of this applies: the parent serves the app it built, in one process.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

import uvicorn
from starlette.types import ASGIApp

from mfa_portal.cli.parent_watch import stop_with_parent
from mfa_portal.settings import load_server_settings
from mfa_portal.wiring import start_barrier, worker_hash_slots

SPEC_VARIABLE = "_MFA_PORTAL_WORKER_SPEC"  # what the parent tells its spawned workers to build
SERVER_OPTIONS: dict[str, Any] = {"http": "auto", "loop": "auto", "ws": "none"}  # httptools, uvloop


CPU_MAX = Path("/sys/fs/cgroup/cpu.max")  # a container's CPU limit (cgroup v2): "<quota> <period>"


def default_workers(cpu_max: Path = CPU_MAX) -> int:
    """One worker per core this process may run on, and no more than its container's CPU limit
    allows (a container limited to 2 CPUs on a 64-core host gets 2)."""
    cores = worker_hash_slots.process_cores()
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):  # no cgroup v2 limit to read
        pass
    return cores


def resolve_workers(option: int | None) -> int:
    """``--workers``, else ``MFA_PORTAL_WORKERS``, else one per core (``SettingsError`` if wrong)."""
    if option is not None:
        return option
    return load_server_settings().workers or default_workers()


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs besides the environment it inherits: the command line's values."""

    command: Literal["serve", "pool serve"]
    data_dir: str
    host: str
    port: int
    public_url: str | None = None
    region: str | None = None
    database_url: str | None = None  # --database-url (the environment variable is inherited)
    hash_slots: str | None = None  # the machine-wide argon2 slots the parent created, if it could
    workers: int = 1  # how many workers share them
    start_barrier: str | None = None  # where they wait for each other before serving


def run(app: ASGIApp, spec: WorkerSpec, workers: int, **options: Any) -> None:
    """Serve ``app`` in this process (one worker), or ``workers`` processes building their own."""
    options = {**SERVER_OPTIONS, **options, "host": spec.host, "port": spec.port}
    if workers == 1:
        uvicorn.run(app, **options)
        return
    factory = "portal_worker_app" if spec.command == "serve" else "pool_worker_app"
    with (
        worker_hash_slots.machine_slots(default_workers()) as slots,
        start_barrier.created(slots) as ready,
    ):
        # inherited by the spawned workers
        os.environ[SPEC_VARIABLE] = json.dumps(
            asdict(replace(spec, hash_slots=slots, workers=workers, start_barrier=ready))
        )
        try:
            uvicorn.run(f"{__name__}:{factory}", factory=True, workers=workers, **options)
        finally:
            os.environ.pop(SPEC_VARIABLE, None)


def _join_parent() -> WorkerSpec:
    """In a new worker: the parent's spec, after joining the machine's argon2 slots it created.

    From here on the worker stops if the parent goes (``parent_watch``)."""
    stop_with_parent()
    spec = WorkerSpec(**json.loads(os.environ[SPEC_VARIABLE]))
    if spec.hash_slots:
        worker_hash_slots.join(spec.hash_slots, spec.workers)
    return spec


def portal_worker_app() -> ASGIApp:
    """In a worker of ``mfa-portal serve``: the portal and its pool, over what the parent created."""
    from mfa_portal.pool.standalone import endpoint_for
    from mfa_portal.security_events import configure_logging
    from mfa_portal.settings import Backend, load_settings
    from mfa_portal.wiring.app import serving_app
    from mfa_portal.wiring.backend import StartupError, open_backend
    from mfa_portal.wiring.bootstrap import load_ids
    from mfa_portal.wiring.start_lock import first_start_lock

    spec = _join_parent()
    settings = load_settings(data_dir=Path(spec.data_dir), database_url=spec.database_url)
    configure_logging(settings.log_level, settings.log_format)
    with first_start_lock(settings.data_dir):
        if settings.backend is Backend.EMBEDDED and not settings.user_pool_id:
            ids = load_ids(settings.data_dir)  # the pool the parent found or created
            if ids is None:  # never a second first start from a worker
                raise StartupError(f"{settings.data_dir} lost its pool while the server started")
            settings = settings.model_copy(
                update={"user_pool_id": ids.user_pool_id, "client_id": ids.client_id}
            )
        backend = open_backend(settings, base_url=endpoint_for(spec.host, spec.port))
        app = serving_app(backend, bind_host=spec.host)
    _start_with_the_others(spec)
    return app


def pool_worker_app() -> ASGIApp:
    """In a worker of ``mfa-portal pool serve``: the pool's wire app over the parent's data."""
    from mfa_portal.cli.pool_serve import pool_failures_per_address, pool_mail_settings
    from mfa_portal.pool.standalone import DEFAULT_REGION, build_standalone
    from mfa_portal.security_events import configure_logging
    from mfa_portal.settings import load_log_settings
    from mfa_portal.wiring.start_lock import first_start_lock

    spec = _join_parent()
    logs = load_log_settings()
    configure_logging(logs.log_level, logs.log_format)
    data_dir = Path(spec.data_dir)
    with first_start_lock(data_dir):
        pool = build_standalone(
            data_dir,
            host=spec.host,
            port=spec.port,
            public_url=spec.public_url,
            region=spec.region or DEFAULT_REGION,
            mail=pool_mail_settings(),
            database_url=spec.database_url,
            failures_per_address=pool_failures_per_address(),
        )
    _start_with_the_others(spec)
    return pool.app


def _start_with_the_others(spec: WorkerSpec) -> None:
    """Once this worker's app is built (outside the first-start lock, which the others need to
    build theirs): wait until every worker's is (``wiring.start_barrier``)."""
    if spec.start_barrier:
        start_barrier.arrive_and_wait(spec.start_barrier, spec.workers)
