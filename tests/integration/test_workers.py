"""Several worker processes behave as one server: a change or a revocation made through one worker
holds on every worker's next request, and a first start creates one pool and one admin.

Each check below is made on *every* worker: ``on_every_worker`` opens fresh connections until each
worker process has answered, and knows which one answered from ``/proc``.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import posix_ipc
import pyotp
import pytest

from mfa_portal.cli.workers import SPEC_VARIABLE, default_workers
from mfa_portal.pool import hash_cores
from mfa_portal.wiring.start_lock import first_start_lock
from tests.support.backends import PASSWORD, TEMP_PASSWORD, boto_client, user_with_password
from tests.support.pool_process import PoolProcess, clean_env, pool_serve, portal_serve
from tests.support.signin_forms import CSRF, sign_in_and_enrol
from tests.support.wire_server import free_port
from tests.support.worker_server import (
    ServerBrowser,
    Workers,
    cognito_call,
    on_every_worker,
    served_portal,
    spawned_workers,
)


def answers_of(per_worker: dict[int, list[Any]]) -> list[Any]:
    return [answer for answers in per_worker.values() for answer in answers]


def test_a_change_through_one_worker_holds_on_every_worker_at_once(tmp_path: Path) -> None:
    with pool_serve(tmp_path / "pool", workers=3) as server:
        idp = boto_client(server.endpoint, server.access_key_id, server.secret_access_key)
        pool_id = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="c",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool_id, Username="alice", TemporaryPassword=TEMP_PASSWORD)
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
        )
        workers = Workers(server.port, server.pid, 3)
        sign_in = cognito_call(
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
            },
        )
        signed_in = answers_of(on_every_worker(workers, sign_in))  # every worker caches the client
        assert {status for status, _ in signed_in} == {200}
        token = signed_in[0][1]["AuthenticationResult"]["AccessToken"]
        get_user = cognito_call("GetUser", {"AccessToken": token})
        assert {status for status, _ in answers_of(on_every_worker(workers, get_user))} == {200}

        idp.update_user_pool_client(
            UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"]
        )
        refused = answers_of(on_every_worker(workers, sign_in))
        assert {body["__type"] for _, body in refused} == {"InvalidParameterException"}

        idp.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            MfaConfiguration="ON",
            SoftwareTokenMfaConfiguration={"Enabled": True},
        )
        idp.update_user_pool_client(
            UserPoolId=pool_id,
            ClientId=client_id,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        challenged = answers_of(on_every_worker(workers, sign_in))
        assert {body.get("ChallengeName") for _, body in challenged} == {"MFA_SETUP"}

        idp.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
        revoked = answers_of(on_every_worker(workers, get_user))
        assert {body["__type"] for _, body in revoked} == {"NotAuthorizedException"}

        idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
        gone = answers_of(on_every_worker(workers, sign_in))
        assert {body["__type"] for _, body in gone} == {"ResourceNotFoundException"}


def verify_everywhere(workers: Workers, browser: ServerBrowser) -> set[int]:
    """``/auth/verify`` with ``browser``'s cookies, on every worker: the statuses seen."""
    cookie = "; ".join(f"{name}={value}" for name, value in browser.http.cookies.items())

    def verify(conn: Any) -> int:
        conn.request("GET", "/auth/verify", headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        return int(response.status)

    return set(answers_of(on_every_worker(workers, verify)))


def signed_in(base_url: str, clock: Any, secret: str) -> ServerBrowser:
    clock.advance(30 - clock.now() % 30 + 0.5)  # a fresh TOTP step: the last code is spent
    browser = ServerBrowser(base_url)
    assert browser.sign_in("alice", PASSWORD).headers["location"] == "/signin/code"
    browser.get("/signin/code")
    answer = browser.post("/signin/code", {"code": pyotp.TOTP(secret).at(clock.now())})
    assert answer.headers["location"] == "/", answer.text
    return browser


def test_signed_out_and_revoked_sessions_fail_forward_auth_on_every_worker(
    tmp_path: Path,
) -> None:
    with served_portal(tmp_path / "portal", workers=3) as served:
        idp = boto_client(served.base_url + "/cognito", *served.credentials())
        pool_id = json.loads((served.data_dir / "portal.json").read_text())["user_pool_id"]
        user_with_password(idp, pool_id, "alice")
        first = ServerBrowser(served.base_url)
        secret, enrolled = sign_in_and_enrol(
            first, "alice", PASSWORD, lambda key: pyotp.TOTP(key).at(served.clock.now())
        )
        assert enrolled.status_code == 303, enrolled.text
        second = signed_in(served.base_url, served.clock, secret)
        workers = served.server
        assert verify_everywhere(workers, first) == {200}
        assert verify_everywhere(workers, second) == {200}

        first.get("/")
        first.post("/signout")
        assert verify_everywhere(workers, first) == {401}
        assert verify_everywhere(workers, second) == {200}

        third = signed_in(served.base_url, served.clock, secret)
        third.get("/account")
        assert CSRF.search(third.last.text if third.last else "")
        done = third.post("/account/signout-everywhere", follow=True)
        assert "You have been signed out on every device." in done.text
        assert verify_everywhere(workers, second) == {401}
        assert verify_everywhere(workers, third) == {401}


def pools_and_users(endpoint: str, data_dir: Path) -> tuple[list[str], list[str]]:
    creds = json.loads((data_dir / "credentials.json").read_text())
    idp = boto_client(endpoint, creds["AccessKeyId"], creds["SecretAccessKey"])
    pools = [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    users = [u["Username"] for pool in pools for u in idp.list_users(UserPoolId=pool)["Users"]]
    return pools, users


def test_first_start_with_several_workers_creates_one_pool_and_one_admin(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    with portal_serve(data_dir, workers=3) as server:
        on_every_worker(Workers(server.port, server.pid, 3), lambda conn: _status(conn, "/signin"))
        pools, users = pools_and_users(server.endpoint, data_dir)
        workers = spawned_workers(server.pid)
    assert len(workers) == 3
    for pid in workers:  # SIGTERM to the command stopped every worker
        assert not Path(f"/proc/{pid}").exists()
    assert len(pools) == 1 and users == ["admin"]
    assert json.loads((data_dir / "portal.json").read_text())["user_pool_id"] == pools[0]
    output = "\n".join(server.output)
    assert output.count("Created the default pool and its first administrator") == 1
    assert output.count("temporary password:") == 1
    assert output.count("mfa-portal is running") == 1  # the parent's sign-in instructions only
    assert output.count("Finished server process") == 3  # each worker ended cleanly, none killed


def _status(conn: Any, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return int(response.status)


def test_two_servers_starting_at_once_on_a_fresh_data_directory_share_one_pool(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "d"
    exe = str(Path(sys.executable).parent / "mfa-portal")
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"serve-{n}.out" for n in range(2)]
    processes = []
    for port, log in zip(ports, logs, strict=True):
        with log.open("w") as sink:
            processes.append(
                subprocess.Popen(
                    [exe, "serve", "--port", str(port), "--data-dir", str(data_dir)]
                    + ["--workers", "2"],
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    env=clean_env(),
                    cwd=tmp_path,
                )
            )
    try:
        for port, process, log in zip(ports, processes, logs, strict=True):
            _wait_for(f"http://127.0.0.1:{port}/signin", process, log)
        pools, users = pools_and_users(f"http://127.0.0.1:{ports[0]}/cognito", data_dir)
        seen_by_second, _ = pools_and_users(f"http://127.0.0.1:{ports[1]}/cognito", data_dir)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
    assert len(pools) == 1 and users == ["admin"] and seen_by_second == pools
    outputs = [log.read_text() for log in logs]
    assert sum(out.count("temporary password:") for out in outputs) == 1  # one password, valid


def test_a_start_waits_while_another_start_is_using_the_data_directory(tmp_path: Path) -> None:
    """What makes racing starts safe, shown deterministically: a start blocks on the data
    directory's lock (``/proc/locks`` lists it waiting) and creates nothing until it is free."""
    data_dir = tmp_path / "d"
    port = free_port()
    exe = str(Path(sys.executable).parent / "mfa-portal")
    log = tmp_path / "serve.out"
    with first_start_lock(data_dir), log.open("w") as sink:
        process = subprocess.Popen(
            [exe, "serve", "--port", str(port), "--data-dir", str(data_dir), "--workers", "1"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=clean_env(),
            cwd=tmp_path,
        )
        try:
            deadline = time.monotonic() + 60
            while not _waits_on_a_lock(process.pid):
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"never waited: {log.read_text()}"
                time.sleep(0.05)
            assert sorted(p.name for p in data_dir.iterdir()) == [".start.lock"]
        except BaseException:
            process.kill()
            process.wait()
            raise
    try:
        _wait_for(f"http://127.0.0.1:{port}/signin", process, log)
        assert (data_dir / "portal.json").exists()
    finally:
        process.terminate()
        process.wait(timeout=20)


def _waits_on_a_lock(pid: int) -> bool:
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "->" and fields[5] == str(pid):
            return True
    return False


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            if process.poll() is not None:
                raise AssertionError(f"serve stopped: {log.read_text()}") from None
            time.sleep(0.1)
    raise AssertionError(f"serve did not start: {log.read_text()}")


@pytest.mark.parametrize("command", ["pool serve", "serve"])
def test_workers_stop_when_the_server_process_is_killed(tmp_path: Path, command: str) -> None:
    """A server process killed with SIGKILL (by hand, by the out-of-memory killer) used to leave its
    workers serving on its port, with nobody to replace them, and the next start failed with
    "address already in use". Now each worker stops within a second or so of its parent going,
    says why in the log, and the port is free for the next start."""
    start = pool_serve if command == "pool serve" else portal_serve
    with start(tmp_path / "d", workers=2) as server:
        on_every_worker(Workers(server.port, server.pid, 2), lambda conn: _status(conn, "/"))
        workers = spawned_workers(server.pid)
        time.sleep(1.5)  # a worker that would stop without its parent going would stop now
        assert all(_running(pid) for pid in workers)
        os.kill(server.pid, signal.SIGKILL)
        os.waitpid(server.pid, 0)
        deadline = time.monotonic() + 15
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        still = [pid for pid in workers if _running(pid)]
        for pid in still:  # leave no process behind, even when the check below fails
            os.kill(pid, signal.SIGKILL)
        assert len(workers) == 2 and still == []
        with socket.socket() as listener:  # what the next start does, as uvicorn binds
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", server.port))
            listener.listen()
    output = "\n".join(server.output)
    assert output.count(f"the server process {server.pid} that started this worker is gone") == 2


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, and not a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_workers_setting_and_option(tmp_path: Path) -> None:
    """``MFA_PORTAL_WORKERS`` sets the count; a wrong value stops the start with one line."""
    exe = str(Path(sys.executable).parent / "mfa-portal")
    wrong = subprocess.run(
        [exe, "pool", "serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "d")],
        env={**clean_env(), "MFA_PORTAL_WORKERS": "0"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert wrong.returncode == 2
    assert "MFA_PORTAL_WORKERS" in wrong.stderr
    assert not (tmp_path / "d").exists()
    with pool_serve(tmp_path / "e", {"MFA_PORTAL_WORKERS": "2"}, workers=None) as server:
        on_every_worker(Workers(server.port, server.pid, 2), lambda conn: _status(conn, "/"))
        assert len(spawned_workers(server.pid)) == 2


def test_sign_ins_on_every_worker_wait_for_the_machines_hash_slots(tmp_path: Path) -> None:
    """The workers share one set of argon2 slots (one per core) that the server creates and removes:
    while something else holds every slot, no worker hashes a password; once they are free, every
    waiting sign-in completes. Without the shared slots, each worker would hash at once."""
    with pool_serve(tmp_path / "pool", workers=2) as server:
        sign_in = alice_with_a_password(server)
        [name] = {slots_of(pid) for pid in spawned_workers(server.pid)}
        slots = posix_ipc.Semaphore(name)
        cores = slots.value
        assert cores == default_workers()
        for _ in range(cores):
            slots.acquire(0)
        try:
            with ThreadPoolExecutor(4) as pool:
                # fresh connections, spread over the workers by the kernel
                send = cognito_call("InitiateAuth", sign_in)
                pending = [
                    pool.submit(
                        send, http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                    )
                    for _ in range(4)
                ]
                time.sleep(0.3)  # ten hashes' time: a worker not waiting would have answered
                assert not any(future.done() for future in pending)
                for _ in range(cores):
                    slots.release()
                answers = [future.result(timeout=30) for future in pending]
        finally:
            while slots.value < cores:
                slots.release()
        assert {status for status, _ in answers} == {200}
        slots.close()
    with pytest.raises(posix_ipc.ExistentialError):  # removed with the server
        posix_ipc.Semaphore(name)


def test_each_hash_on_a_worker_runs_on_a_core_of_its_own(tmp_path: Path) -> None:
    """With a slot per core, the server also creates one semaphore per core: a worker's hash runs
    pinned to a free core (seen in /proc while it hashes), and when no core is free, sign-ins still
    complete where the kernel puts them. The per-core semaphores go with the server."""
    cores = sorted(os.sched_getaffinity(0))
    with pool_serve(tmp_path / "pool", workers=2) as server:
        params = alice_with_a_password(server)
        workers = spawned_workers(server.pid)
        [name] = {slots_of(pid) for pid in workers}
        assert {spec_of(pid)["workers"] for pid in workers} == {2}  # to size their hashing threads
        names = [hash_cores.core_name(name, core) for core in cores]
        if default_workers() != len(cores):  # a CPU quota below the CPU set: the kernel places
            for core_name in names:
                with pytest.raises(posix_ipc.ExistentialError):
                    posix_ipc.Semaphore(core_name)
            return
        per_core = [posix_ipc.Semaphore(core_name) for core_name in names]
        sign_in = cognito_call("InitiateAuth", params)
        free = cores[-1]
        for semaphore in per_core[:-1]:
            semaphore.acquire(0)  # every core but the last is taken
        try:
            seen = pinned_while_signing_in(workers, server.port, sign_in)
            assert seen == {free}
            per_core[-1].acquire(0)  # and now no core is free
            status, _ = sign_in(http.client.HTTPConnection("127.0.0.1", server.port, timeout=30))
            assert status == 200
        finally:
            for semaphore in per_core:
                while semaphore.value < 1:
                    semaphore.release()
                semaphore.close()
    for core_name in names:
        with pytest.raises(posix_ipc.ExistentialError):
            posix_ipc.Semaphore(core_name)


def pinned_while_signing_in(
    workers: set[int], port: int, sign_in: Callable[[http.client.HTTPConnection], Any]
) -> set[int]:
    """Sign in over and over while watching the workers' threads: the single cores any thread was
    kept on (argon2 takes about 20 ms; /proc is read every millisecond or so)."""
    seen: set[int] = set()
    with ThreadPoolExecutor(2) as pool:
        deadline = time.monotonic() + 20
        while not seen and time.monotonic() < deadline:
            pending = [
                pool.submit(sign_in, http.client.HTTPConnection("127.0.0.1", port, timeout=30))
                for _ in range(2)
            ]
            while not all(p.done() for p in pending):
                seen |= single_cores(workers)
            assert {p.result()[0] for p in pending} == {200}
    return seen


def single_cores(workers: set[int]) -> set[int]:
    found = set()
    for worker in workers:
        for status in Path(f"/proc/{worker}/task").glob("*/status"):
            try:
                text = status.read_text()
            except OSError:  # the thread ended
                continue
            allowed = text.split("Cpus_allowed_list:", 1)[1].split()[0]
            if allowed.isdigit():
                found.add(int(allowed))
    return found


def alice_with_a_password(server: PoolProcess) -> dict[str, Any]:
    """A pool, an app client and a user with a permanent password: the InitiateAuth call for her."""
    idp = boto_client(server.endpoint, server.access_key_id, server.secret_access_key)
    pool_id = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="alice", TemporaryPassword=TEMP_PASSWORD)
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
    )
    return {
        "ClientId": client_id,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
    }


def slots_of(worker: int) -> str:
    """The hash slots a worker was told to join, from its environment (set by its parent)."""
    return str(spec_of(worker)["hash_slots"])


def spec_of(worker: int) -> dict[str, Any]:
    for entry in Path(f"/proc/{worker}/environ").read_bytes().split(b"\0"):
        if entry.startswith(SPEC_VARIABLE.encode() + b"="):
            spec: dict[str, Any] = json.loads(entry.split(b"=", 1)[1])
            return spec
    raise AssertionError(f"worker {worker} has no spec")
