"""The bench's three groups of workloads, each run with its reference while both servers are up.

- forward-auth: ``mfa-portal serve`` and the bare Starlette floor;
- the pool: ``pool serve`` beside moto and cognito-local (GetUser, AdminGetUser), and InitiateAuth
  beside the argon2 ceiling, then where the cores' time goes in one more round of each
  (``cpu_profile``);
- scale: ``pool serve`` on seeded pools of increasing size, one connection, and its RSS.

Before wrk replays a request, it is sent once with httpx and must succeed, so a refused signature or
an expired token fails with the server's own message instead of a screen of non-2xx counts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import moto

from bench import argon2_ceiling, cpu_profile, datasets, serving, wrk
from bench import cognito_requests as calls
from bench.portal_session import signed_in_cookie
from bench.results import ForwardAuth, PoolFigures, ScaleRow, SignInCpu
from bench.servers import Server, cognito_local, cognito_local_version, moto_server, pool_server

HASH_ROUNDS_FACTOR = 3  # InitiateAuth and its ceiling: rounds per round of the other workloads


@dataclass(frozen=True)
class Options:
    duration: float
    connections: int
    workers: int
    work: Path  # logs and working copies; removed after a successful run
    cache: Path  # seeded data sets, kept between runs
    rounds: int = 1  # each workload in this many alternating rounds, ``duration`` in all


def check(req: calls.Request) -> dict[str, Any]:
    """Send ``req`` once; it must answer 200 (wrk only counts statuses)."""
    answer = httpx.post(req.url, content=req.body, headers=req.headers, timeout=60)
    if answer.status_code != 200:
        target = req.headers.get("X-Amz-Target", "")
        raise RuntimeError(f"{req.url} {target}: {answer.status_code} {answer.text[:300]}")
    return dict(answer.json())


def replay(req: calls.Request, o: Options, connections: int | None = None) -> wrk.Figure:
    check(req)
    return replay_checked(req, o, connections)


def replay_checked(req: calls.Request, o: Options, connections: int | None = None) -> wrk.Figure:
    """wrk replaying ``req``, which ``check`` has already sent once."""
    lua = wrk.script("POST", req.body, req.headers)
    return wrk.run(req.url, lua, duration=o.duration, connections=connections or o.connections)


def load(
    url: str, o: Options, headers: dict[str, str] | None = None, expect_error_status: bool = False
) -> wrk.Figure:
    """GET ``url`` under wrk for the run's duration and connections."""
    lua = wrk.script(headers=headers)
    return wrk.run(
        url,
        lua,
        duration=o.duration,
        connections=o.connections,
        expect_error_status=expect_error_status,
    )


def verify_signed_in(portal: serving.Running, o: Options) -> wrk.Figure:
    """``/auth/verify`` with the cookie of a session signed in through the portal's pages."""
    portal.ready()
    cookie = signed_in_cookie(portal.url)
    return load(portal.url + "/auth/verify", o, {"Cookie": cookie})


def forward_auth(o: Options) -> ForwardAuth:
    """``/auth/verify`` with a signed-in cookie and with none, then the floor, all servers up."""
    with ExitStack() as stack:
        portal = stack.enter_context(
            serving.portal_serve(o.work / "portal", o.workers, o.work, wait=False)
        )
        floor = stack.enter_context(serving.starlette_floor(o.workers, o.work, wait=False))
        floor.ready()
        portal.ready()
        cookie = signed_in_cookie(portal.url)
        short = replace(o, duration=o.duration / o.rounds)
        signed_in, base, anonymous = [], [], []
        for _ in range(o.rounds):  # alternating, so drift in the machine hits both servers
            signed_in.append(load(portal.url + "/auth/verify", short, {"Cookie": cookie}))
            base.append(load(floor.url + "/auth/verify", short))
            anonymous.append(load(portal.url + "/auth/verify", short, expect_error_status=True))
        return ForwardAuth(
            wrk.combined(signed_in), wrk.combined(anonymous), wrk.combined(base), portal.workers
        )


@contextmanager
def our_pool(
    o: Options, data_dir: Path, database_url: str | None = None
) -> Iterator[tuple[Server, serving.Running]]:
    with serving.pool_serve(data_dir, o.workers, o.work, database_url=database_url) as running:
        yield pool_server(running, data_dir), running


def pool_references(o: Options, *, references: bool) -> PoolFigures:
    """GetUser and AdminGetUser on every server, then InitiateAuth on ours."""
    out = PoolFigures()
    with ExitStack() as stack:
        data_dir = o.work / "pool"
        running = stack.enter_context(serving.pool_serve(data_dir, o.workers, o.work, wait=False))
        out.pool_workers = running.workers
        refs: list[Server] = []
        if references:  # they start while ours does
            refs.append(stack.enter_context(moto_server(o.work)))
            local = stack.enter_context(cognito_local(o.work))
            if local is None:
                raise RuntimeError("cognito-local is not installed: run `make bench-deps`")
            refs.append(local)
            out.versions = {"moto": moto.__version__, "cognito-local": cognito_local_version()}
        else:
            out.get_user = dict.fromkeys(("moto", "cognito-local"), "--quick")
            out.admin_get_user = dict(out.get_user)
        servers = [pool_server(running, data_dir), *refs]
        prepared = [calls.prepare(s) for s in servers]
        short = replace(o, duration=o.duration / o.rounds)
        for target, request in (
            (out.get_user, calls.get_user),
            (out.admin_get_user, calls.admin_get_user),
        ):
            # Signed just before its rounds: a signature is good for 5 minutes.
            requests = [(p.server.name, request(p)) for p in prepared]
            rounds: dict[str, list[wrk.Figure]] = {server: [] for server, _ in requests}
            for _ in range(o.rounds):  # alternating, so drift in the machine hits every server
                for server, req in requests:
                    rounds[server].append(replay(req, short))
            target.update({server: wrk.combined(figures) for server, figures in rounds.items()})
        sign_in = calls.initiate_auth(prepared[0])
        signed_in: list[wrk.Figure] = []
        ceilings: list[argon2_ceiling.Ceiling] = []
        # Hash-bound figures move most with the machine (argon2 lives in a shared L3 cache and in
        # memory bandwidth that other tenants of a VM use too), so this pair gets more, equally long
        # rounds: the same per-round length, HASH_ROUNDS_FACTOR times as many alternations.
        for _ in range(o.rounds * (HASH_ROUNDS_FACTOR if o.rounds > 1 else 1)):
            signed_in.append(replay(sign_in, short))
            ceilings.append(argon2_ceiling.measure(os.cpu_count() or 1, short.duration))
        out.initiate_auth = wrk.combined(signed_in)
        out.ceiling = argon2_ceiling.combined(ceilings)
        out.initiate_auth_rounds = [
            (f.rps, c.per_second) for f, c in zip(signed_in, ceilings, strict=True)
        ]
        out.sign_in_cpu = sign_in_cpu(sign_in, short)
    return out


def sign_in_cpu(sign_in: calls.Request, o: Options) -> SignInCpu | str:
    """Where the cores' time goes in one more InitiateAuth round and one more ceiling round (not
    counted in the row); why not, where perf cannot sample every core."""
    why = cpu_profile.unavailable()
    if why is not None:
        return why
    check(sign_in)  # before the sampling: it covers wrk's load only
    with cpu_profile.Sampling() as server:
        signed_in = replay_checked(sign_in, o)
    cores = os.cpu_count() or 1
    alone = cpu_profile.Sampling()  # only while the ceiling's processes verify
    ceiling = argon2_ceiling.measure(cores, o.duration, during=alone)
    return SignInCpu(signed_in.rps, ceiling.per_second, server.split(), alone.split(), cores)


def scale(o: Options, sizes: list[int]) -> list[ScaleRow]:
    """AdminGetUser and ListUsers ``email ^=`` on pools of each size, one connection; RSS after.

    The server runs one process (``--workers 1``): one connection needs no more, and its RSS is then
    the memory one server holds for that many users, not N interpreters' worth.
    """
    o = replace(o, workers=1)
    rows = []
    for count in sizes:
        seeded, fresh = datasets.cached(o.cache, count, o.work)
        data = datasets.working_copy(seeded, o.work / f"scale-{count}")
        with our_pool(o, data.data_dir) as (server, running):
            get = calls.signed(
                server, "AdminGetUser", {"UserPoolId": data.pool_id, "Username": data.some_user}
            )
            admin_get_user = replay(get, o, connections=1)
            params = {"UserPoolId": data.pool_id, "Filter": f'email ^= "{data.email_prefix}"'}
            search = calls.signed(server, "ListUsers", params)
            found = len(check(search).get("Users", []))
            if found != 10:
                raise RuntimeError(
                    f"ListUsers at {count} users found {found} users, not 10: the rows "
                    "bench.seed_users writes may lack something this pool now needs (bring it up to "
                    f"date with the engine's INSERT, and clear {datasets.cache_dir(o.cache, count)})"
                )
            list_users = replay(search, o, connections=1)
            rss = serving.rss_mib(running.pid)
        rows.append(ScaleRow(count, admin_get_user, list_users, rss, fresh, seeded.seconds_to_seed))
    return rows
