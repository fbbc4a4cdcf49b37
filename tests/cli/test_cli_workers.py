"""How many workers ``serve`` and ``pool serve`` start, and what they are told to run."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import posix_ipc
import pytest
import uvicorn
from typer.testing import CliRunner

from mfa_portal.cli import _load_commands
from mfa_portal.cli import app as cli_app
from mfa_portal.cli.workers import SPEC_VARIABLE, default_workers, resolve_workers
from mfa_portal.settings import SettingsError
from mfa_portal.wiring import start_barrier

_load_commands()


def cores() -> int:
    return len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        ("max 100000\n", None),  # no limit: every core
        ("100000 100000\n", 1),
        ("150000 100000\n", 2),  # 1.5 CPUs: two workers, the second half-used
        ("1000 100000\n", 1),  # a sliver of a CPU still needs one
        ("garbled", None),
    ],
)
def test_the_default_is_one_worker_per_core_within_the_containers_limit(
    tmp_path: Path, cpu_max: str, expected: int | None
) -> None:
    limit = tmp_path / "cpu.max"
    limit.write_text(cpu_max)
    assert default_workers(limit) == min(cores(), expected or cores())
    assert default_workers(tmp_path / "missing") == cores()


def test_the_option_wins_over_the_setting_which_wins_over_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("MFA_PORTAL_WORKERS", raising=False)
    assert resolve_workers(None) == default_workers()
    monkeypatch.setenv("MFA_PORTAL_WORKERS", "3")
    assert resolve_workers(None) == 3
    assert resolve_workers(1) == 1
    monkeypatch.setenv("MFA_PORTAL_WORKERS", "many")
    with pytest.raises(SettingsError, match="MFA_PORTAL_WORKERS"):
        resolve_workers(None)


@pytest.mark.parametrize("command", [["serve"], ["pool", "serve"]])
def test_several_workers_run_the_factory_after_the_first_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """The parent starts uvicorn with an import string, a factory and the worker count; it has
    already created the data directory (workers only open it) and printed its lines once."""
    runs: list[tuple[Any, dict[str, Any], str | None]] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **kw: runs.append((app, kw, os.environ.get(SPEC_VARIABLE)))
    )
    monkeypatch.chdir(tmp_path)
    data_dir = tmp_path / "d"
    args = [*command, "--port", "9341", "--data-dir", str(data_dir), "--workers", "3"]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    [(app, options, spec)] = runs
    assert isinstance(app, str) and app.startswith("mfa_portal.cli.workers:")
    assert (options["factory"], options["workers"], options["port"]) == (True, 3, 9341)
    assert spec is not None and str(data_dir) in spec
    assert os.environ.get(SPEC_VARIABLE) is None  # not left behind once the server stopped
    assert (data_dir / "credentials.json").exists()
    shared = json.loads(spec)
    assert shared["start_barrier"] == f"{shared['hash_slots']}-ready"
    with pytest.raises(posix_ipc.ExistentialError):  # removed with the slots when it stopped
        posix_ipc.Semaphore(shared["start_barrier"])


def test_a_worker_serves_once_every_worker_has_built_its_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its app built, a worker waits at the start barrier for the others, and not under the
    first-start lock, which they need to build theirs."""
    from mfa_portal.cli.workers import WorkerSpec, pool_worker_app
    from mfa_portal.pool.hash_slots import NAME_PREFIX
    from mfa_portal.wiring.start_lock import first_start_lock

    monkeypatch.chdir(tmp_path)
    data_dir = tmp_path / "d"
    with start_barrier.created(f"{NAME_PREFIX}{os.getpid()}-workers") as barrier:
        assert barrier is not None
        spec = WorkerSpec("pool serve", str(data_dir), "127.0.0.1", 9343, workers=2)
        monkeypatch.setenv(SPEC_VARIABLE, json.dumps(asdict(replace(spec, start_barrier=barrier))))
        with ThreadPoolExecutor(1) as worker:
            app = worker.submit(pool_worker_app)
            with pytest.raises(FutureTimeout):
                app.result(timeout=3)  # built (the data directory is there), and waiting
            assert (data_dir / "keys").is_dir()
            with first_start_lock(data_dir):  # free for the other worker meanwhile
                pass
            posix_ipc.Semaphore(barrier).release()  # the other worker has built its app
            assert app.result(timeout=10) is not None


def test_a_worker_opens_what_the_first_start_made_and_never_makes_a_pool_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker builds the same app over the parent's data; if the pool's record went missing
    after the first start, it refuses instead of creating a second pool and admin."""
    from mfa_portal.cli.workers import WorkerSpec, portal_worker_app
    from mfa_portal.wiring.backend import StartupError

    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("MFA_PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    data_dir = tmp_path / "d"
    args = ["serve", "--port", "9342", "--data-dir", str(data_dir), "--workers", "1"]
    assert CliRunner().invoke(cli_app, args).exit_code == 0  # the first start
    spec = WorkerSpec("serve", str(data_dir), "127.0.0.1", 9342)
    monkeypatch.setenv(SPEC_VARIABLE, json.dumps(asdict(spec)))
    assert portal_worker_app() is not None

    (data_dir / "portal.json").unlink()
    with pytest.raises(StartupError, match="lost its pool"):
        portal_worker_app()
    assert not (data_dir / "portal.json").exists()
