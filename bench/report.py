"""docs/benchmarks.md from one run's Results: every row, its reference, its target, what bounds it.

The row labels are stable (the smoke test looks for each one); a figure that was not measured is
written as "not run" with the reason, never left out.
"""

from __future__ import annotations

from bench import cpu_profile
from bench.results import Measured, OnPostgres, PoolFigures, Results, ScaleRow
from bench.wrk import Figure

VERIFY_SIGNED_IN = "`GET /auth/verify`, signed in"
VERIFY_ANONYMOUS = "`GET /auth/verify`, anonymous (401)"
GET_USER = "`GetUser` on `pool serve`"
ADMIN_GET_USER = "`AdminGetUser` on `pool serve`"
INITIATE_AUTH = "`InitiateAuth` USER_PASSWORD_AUTH"
REFERENCE_ROWS = (VERIFY_SIGNED_IN, VERIFY_ANONYMOUS, GET_USER, ADMIN_GET_USER, INITIATE_AUTH)
ON_POSTGRES = ", on PostgreSQL"
POSTGRES_ROWS = tuple(label + ON_POSTGRES for label in (VERIFY_SIGNED_IN, GET_USER, INITIATE_AUTH))
SCALE_TARGET_AT = 1_000_000
RSS_TARGET_AT = 100_000
TARGET_ADMIN_GET_USER = "`AdminGetUser` p50 ≤ 20 ms at 1,000,000 users"
TARGET_LIST_USERS = "`ListUsers email ^=` p50 ≤ 20 ms at 1,000,000 users"
TARGET_RSS = "RSS ≤ 200 MB at 100,000 users"
SCALE_TARGETS = (TARGET_ADMIN_GET_USER, TARGET_LIST_USERS, TARGET_RSS)
REFERENCES = ("moto", "cognito-local")
CPU_HEADING = "## Where a sign-in's CPU goes"


def plural(n: int) -> str:
    return "" if n == 1 else "s"


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def fig(f: Figure) -> str:
    return f"{f.rps:,.0f} req/s · p50 {f.p50_ms:.1f} ms · p99 {f.p99_ms:.1f} ms"


def measured(name: str, m: Measured | None) -> str:
    if isinstance(m, Figure):
        return f"{name}: {m.rps:,.0f} req/s (p50 {m.p50_ms:.1f} ms)"
    return f"{name}: not run ({m or 'no result'})"


def _ratio_row(
    label: str, ours: Figure | None, reference: str, base: float | None, target: float | None
) -> str:
    if ours is None:
        return f"| {label} | not run | {reference} | – | – | not measured |"
    if base is None or base <= 0:
        want = f"≥ {target:.2f}×" if target else "none set"
        return f"| {label} | {fig(ours)} | {reference} | – | {want} | not judged (no reference) |"
    ratio = ours.rps / base
    if target is None:
        return f"| {label} | {fig(ours)} | {reference} | {ratio:.2f}× | none set | – |"
    return (
        f"| {label} | {fig(ours)} | {reference} | {_against(ratio, target)}× | ≥ {target:.2f}× | "
        f"{verdict(ratio >= target)} |"
    )


def _against(ratio: float, target: float) -> str:
    """The ratio to two places, or to three when two would print a miss as the target itself
    (0.899 beside "≥ 0.90": a reader would see 0.90 judged not met)."""
    shown = f"{ratio:.2f}"
    if ratio < target and shown == f"{target:.2f}":
        return f"{ratio:.3f}"
    return shown


def _faster(refs: dict[str, Measured]) -> float | None:
    rates = [m.rps for m in refs.values() if isinstance(m, Figure)]
    return max(rates) if rates else None


def reference_table(r: Results) -> list[str]:
    s, fa, pool = r.settings, r.forward_auth, r.pool
    floor_name = f"bare Starlette (uvicorn, httptools, {s.workers} worker{plural(s.workers)})"
    floor = fa.floor.rps if fa else None
    floor_text = f"{floor_name}: {fa.floor.rps:,.0f} req/s" if fa else f"{floor_name}: not run"
    refs = {name: pool.get_user.get(name) for name in REFERENCES}
    admin_refs = {name: pool.admin_get_user.get(name) for name in REFERENCES}

    def ref_text(ms: dict[str, Measured | None]) -> str:
        return "; ".join(measured(n, m) for n, m in ms.items())

    ceiling = r.ceiling
    ceiling_text = (
        f"argon2 ceiling ({ceiling.parameters}; {ceiling.processes} processes): "
        f"{ceiling.per_second:,.1f} verifications/s"
        if ceiling
        else "argon2 ceiling: not run"
    )
    return [
        "| workload | mfa-portal | reference, same run | ratio | target | verdict |",
        "|---|---|---|---|---|---|",
        _ratio_row(VERIFY_SIGNED_IN, fa.signed_in if fa else None, floor_text, floor, 0.30),
        _ratio_row(VERIFY_ANONYMOUS, fa.anonymous if fa else None, floor_text, floor, None),
        _ratio_row(
            GET_USER,
            _ours(pool.get_user),
            ref_text(dict(refs)) + " (ratio to the faster)",
            _faster({k: v for k, v in refs.items() if v is not None}),
            3.0,
        ),
        _ratio_row(
            ADMIN_GET_USER,
            _ours(pool.admin_get_user),
            ref_text(dict(admin_refs)) + " (ratio to the faster)",
            _faster({k: v for k, v in admin_refs.items() if v is not None}),
            None,
        ),
        _ratio_row(
            INITIATE_AUTH,
            pool.initiate_auth,
            ceiling_text,
            ceiling.per_second if ceiling else None,
            0.90,
        ),
    ]


def round_spread(pool: PoolFigures) -> list[str]:
    """How far apart the InitiateAuth rounds and their ceiling rounds were: the machine's drift."""
    rounds = pool.initiate_auth_rounds
    if len(rounds) < 2:
        return []
    ours = [rate for rate, _ in rounds]
    ceilings = [ceiling for _, ceiling in rounds]
    ratios = [rate / ceiling for rate, ceiling in rounds if ceiling > 0]
    return [
        f"Round by round ({len(rounds)} alternations), `InitiateAuth` ran at "
        f"{min(ours):,.0f}–{max(ours):,.0f} sign-ins/s and the ceiling at "
        f"{min(ceilings):,.0f}–{max(ceilings):,.0f} verifications/s; each sign-in round over the "
        f"ceiling round after it gave {min(ratios):.2f}× to {max(ratios):.2f}×. The figure above "
        "is their totals' ratio.",
    ]


def cpu_table(pool: PoolFigures) -> list[str]:
    """The perf split of one more sign-in round and one more ceiling round, side by side."""
    cpu = pool.sign_in_cpu
    if isinstance(cpu, str):
        return [f"Not measured: {cpu}."]
    lines = [
        "One more `InitiateAuth` round and one more ceiling round, not counted above, each under",
        f"`perf record -a` (every core sampled {cpu_profile.FREQUENCY} times a second, each sample "
        "filed by the library its",
        "instruction was in), in percent of all the cores' time:",
        "",
        "| where | `InitiateAuth` round | argon2 ceiling round |",
        "|---|---|---|",
    ]
    for name in cpu_profile.CATEGORIES:
        ours, alone = cpu.server.shares.get(name, 0.0), cpu.ceiling.shares.get(name, 0.0)
        lines.append(f"| {name} | {ours:.1f} % | {alone:.1f} % |")
    if cpu.sign_ins <= 0 or cpu.verifications <= 0 or cpu.ceiling.argon2 <= 0:
        return [*lines, "", "(A profiled round measured nothing: no per-sign-in figures.)"]
    per_sign_in = 1000.0 * cpu.cores / cpu.sign_ins  # ms of the cores' time
    hash_in_server = per_sign_in * cpu.server.argon2 / 100
    hash_alone = 1000.0 * cpu.cores / cpu.verifications * cpu.ceiling.argon2 / 100
    lines += [
        "",
        f"Per sign-in the {cpu.cores} cores spent {per_sign_in:.1f} ms ({cpu.sign_ins:,.1f} "
        f"sign-ins/s): {hash_in_server:.1f} ms in argon2 (hashing and clearing its memory) and "
        f"{per_sign_in - hash_in_server:.1f} ms on everything else. In the ceiling round a "
        f"verification took {hash_alone:.1f} ms ({cpu.verifications:,.1f}/s). Had a hash cost "
        f"the same in both rounds, the sign-ins would have reached "
        f"{cpu.server.argon2 / cpu.ceiling.argon2:.2f}× of the ceiling (argon2's share of the "
        f"cores, {cpu.server.argon2:.1f} % against {cpu.ceiling.argon2:.1f} %); these two rounds "
        f"measured {cpu.sign_ins / cpu.verifications:.2f}×.",
    ]
    return lines


def postgres_rows(r: Results) -> list[tuple[str, Measured, Figure | None]]:
    """(label, the figure on PostgreSQL or why there is none, the SQLite figure of this run)."""
    pg, fa = r.postgres, r.forward_auth
    sqlite = (fa.signed_in if fa else None, _ours(r.pool.get_user), r.pool.initiate_auth)
    on_pg: tuple[Measured, ...] = (
        (pg.verify_signed_in, pg.get_user, pg.initiate_auth)
        if isinstance(pg, OnPostgres)
        else (pg,) * 3
    )
    return list(zip(POSTGRES_ROWS, on_pg, sqlite, strict=True))


def postgres_table(r: Results) -> list[str]:
    lines = [
        "| workload | on PostgreSQL | on SQLite, same run | PostgreSQL / SQLite |",
        "|---|---|---|---|",
    ]
    for label, pg, lite in postgres_rows(r):
        lite_text = fig(lite) if lite else "not run"
        if isinstance(pg, Figure):
            ratio = f"{pg.rps / lite.rps:.2f}×" if lite and lite.rps > 0 else "–"
            lines.append(f"| {label} | {fig(pg)} | {lite_text} | {ratio} |")
        else:
            lines.append(f"| {label} | {pg} | {lite_text} | – |")
    return lines


def postgres_server(r: Results) -> list[str]:
    """Which server the PostgreSQL rows ran on, and what its durability settings mean for them."""
    pg = r.postgres
    if not isinstance(pg, OnPostgres):
        return [f"The PostgreSQL rows were {pg}."]
    shown = ", ".join(f"`{k}={v}`" for k, v in sorted(pg.settings.items()))
    lines = [
        f"{pg.version}, a throwaway server the bench starts on loopback (the test suite's launcher)",
        f"with {shown}.",
        "Each server under test has its own database and migrates it on first start.",
    ]
    if pg.settings.get("fsync") == "off":
        lines += [
            "With `fsync=off` PostgreSQL never waits for the disk: a commit costs no flush, and a",
            "crash of the machine may corrupt the data, which is why no production server runs so.",
            "SQLite here runs in WAL mode with `synchronous=NORMAL` (the portal's setting), which",
            "flushes only at checkpoints, so neither column includes a durable commit's flush. On a",
            "production PostgreSQL (`fsync=on`, `synchronous_commit=on`) every write waits for one:",
            "`InitiateAuth` writes a token family per sign-in and would slow by about a flush per",
            "request; `GetUser` and `/auth/verify` only read and would not.",
        ]
    return lines


def _ours(m: dict[str, Measured]) -> Figure | None:
    f = m.get("mfa-portal")
    return f if isinstance(f, Figure) else None


def _lat(f: Figure) -> str:
    return f"{f.p50_ms:.1f} / {f.p99_ms:.1f} ms ({f.rps:,.0f} req/s)"


def scale_table(rows: list[ScaleRow]) -> list[str]:
    lines = [
        "| users | `AdminGetUser` p50 / p99 | `ListUsers email ^=` p50 / p99 | server RSS | data set |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        seeded = f"seeded in {row.seed_seconds:.0f} s" if row.seeded_now else "from the cache"
        lines.append(
            f"| {row.count:,} users | {_lat(row.admin_get_user)} | {_lat(row.list_users)} | "
            f"{row.rss_mib * 1.048576:,.0f} MB | {seeded} |"
        )
    return lines


def scale_targets(rows: list[ScaleRow], quick: bool) -> list[str]:
    by_count = {row.count: row for row in rows}
    why = "not measured: --quick seeds " + ", ".join(f"{c:,}" for c in by_count) + " users"
    big, mid = by_count.get(SCALE_TARGET_AT), by_count.get(RSS_TARGET_AT)
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    for label, value in (
        (TARGET_ADMIN_GET_USER, big.admin_get_user.p50_ms if big else None),
        (TARGET_LIST_USERS, big.list_users.p50_ms if big else None),
    ):
        if value is None:
            lines.append(f"| {label} | {why if quick else 'not measured'} | – |")
        else:
            lines.append(f"| {label} | p50 {value:.1f} ms | {verdict(value <= 20)} |")
    if mid is None:
        lines.append(f"| {TARGET_RSS} | {why if quick else 'not measured'} | – |")
    else:
        mb = mid.rss_mib * 1.048576
        lines.append(f"| {TARGET_RSS} | {mb:,.0f} MB | {verdict(mb <= 200)} |")
    return lines


BOUNDS = [
    "**`/auth/verify`** is bounded by the Python HTTP stack: the floor is the same stack (uvicorn, "
    "httptools, the same number of worker processes) doing nothing but answer 200, so the ratio is "
    "the share of each request the portal leaves to the stack; the work it adds is the session lookup, "
    "the revocation check and the response headers. wrk runs on the same cores and takes part of them.",
    "**`GetUser` / `AdminGetUser`** are bounded by request handling in one server process per worker "
    "(JSON parsing, validation, the token or SigV4 check, the keyed SQLite reads and the check that "
    "the token's family is not revoked). A Cognito call reaches the engine as raw ASGI, before any "
    "routing. `GetUser` runs on the event loop and reads the user, the token's family and the "
    "configuration stamp in one SQL statement; `AdminGetUser` (which may scan alias attributes) runs "
    "on a worker thread. moto (Flask/Werkzeug, one process) and cognito-local (Node.js, one event "
    "loop) do the same calls without checking signatures or revocation; they are the reference for "
    "what a local Cognito costs, not a ceiling.",
    "**`InitiateAuth`** is bounded by argon2id: every password sign-in verifies one hash, with the "
    "parameters read from the pool's code. The ceiling is that verification alone in one process per "
    "core, with no server and no client, so 1.00× is unreachable; the gap is everything else on the "
    "path, measured above with perf: the Python that handles the request and runs the call (the "
    "largest part), two RS256 signatures, the kernel's share (system calls, switching threads), one "
    "write transaction in SQLite, HTTP, and wrk, which shares the cores. All of it runs on CPU caches "
    "that two 19 MiB hashes keep full, so it costs several times what it costs alone (alone, the "
    "call without its hash takes under 1 ms of a core). So a sign-in wakes as few threads as it "
    "can: the thread that runs the call also hashes, instead of handing the hash to another thread "
    "and back (which cost 1–6 % of the sign-ins in paired rounds). The server's workers share one "
    "argon2 slot per core (a POSIX semaphore), so they never run more hashes at once than the "
    "ceiling does: more would evict each other's 19 MiB from the CPU caches and make every hash "
    "dearer. Each hash also runs pinned to a free core of its own: left to itself, the kernel often "
    "queued a woken hash behind the other one on a busy core and let the second core idle for a "
    "scheduler tick (2–5 % of the CPU under this load). The ceiling's processes never sleep, so "
    "the kernel keeps each on its core without help. What a verification costs in the ceiling's "
    "rounds moves with the machine more than what a sign-in costs (two hashes side by side compete "
    "for the shared cache and memory more than a hash beside the server's other work does), so the "
    "ratio of one round to the next spreads as wide as the spread above shows.",
    "**The PostgreSQL rows** add, to each query the SQLite figures make in-process, a round trip "
    "over loopback to the database server, which also runs on the same cores (as does wrk); each "
    "worker keeps a pool of connections, so no request opens one. `GetUser` makes one round trip "
    "(its single statement), but on a worker thread, where on SQLite it runs on the event loop "
    "without one, so it loses the most.",
    "**The at-scale rows** are bounded by SQLite: `AdminGetUser` is one lookup by the unique "
    "`(pool_id, username_key)` key; `ListUsers email ^=` is as fast as the index that serves the "
    "prefix filter (without one it scans every user of the pool). They are measured with one "
    "connection so that p50 is the time of one call, not time spent queueing behind other clients, "
    "on one server process (`--workers 1`). RSS is that process's `VmRSS` from "
    "`/proc/<pid>/status`, read after the workloads at that size; each further worker is a process "
    "with its own interpreter and caches, so N workers hold about N times the memory that does not "
    "depend on the number of users.",
]


def gap_note(r: Results) -> list[str]:
    """Say so when the build under test ran fewer processes than the floor."""
    ran, asked = _serve_workers(r), r.settings.workers
    if ran >= asked:
        return []
    return [
        f"This build's `serve` has no `--workers`: it ran {ran} process against the "
        f"floor's {asked}, so part of the `/auth/verify` gap is the missing workers.",
    ]


def _serve_workers(r: Results) -> int:
    return r.forward_auth.serve_workers if r.forward_auth else r.settings.workers


def render(r: Results) -> str:
    s = r.settings
    mode = (
        "quick (2 s runs, small pools: a smoke test whose figures are indicative only; "
        "`make bench` replaces them with a full run)"
        if s.quick
        else "full: each workload in three alternating rounds with its reference (InitiateAuth "
        "in nine, so three times as long, with the argon2 ceiling between them: hash-bound figures "
        "move most with the machine), throughput over all rounds, latency of the median round, so a machine that "
        "slows down mid-run slows both sides alike"
    )
    lines = [
        "# Benchmarks",
        "",
        "Every figure below comes from one run of the bench, each workload beside its reference in",
        "that same run, on loopback, with load from [wrk](https://github.com/wg/wrk) (HTTP load",
        "generator written in C), so the figures are the servers' and not the client's. Compare ratios",
        "more than absolute figures: both move together with the machine. Regenerate with `make bench`.",
        "",
        "## Run",
        "",
        f"- Command: `{s.command}`",
        f"- Mode: {mode}; {s.duration:g} s per workload; wrk with {s.connections} connections",
        "  (the at-scale rows: 1 connection)",
        f"- Workers: `mfa-portal serve` ran {_serve_workers(r)}, `mfa-portal pool serve` ran "
        f"{r.pool.pool_workers} (asked for {s.workers}; a build without `--workers` runs 1); the "
        f"floor ran {s.workers}",
    ]
    lines += [f"- {k}: {v}" for k, v in r.machine.items()]
    lines += [f"- {k}: {v}" for k, v in r.pool.versions.items()]
    lines += [
        "",
        "## Beside a reference",
        "",
        "Ratios are mfa-portal's throughput over the reference's (higher is better for mfa-portal).",
        *gap_note(r),
        "",
        *reference_table(r),
        "",
        CPU_HEADING,
        "",
        *round_spread(r.pool),
        "",
        *cpu_table(r.pool),
        "",
        "## On PostgreSQL",
        "",
        "The same servers with `--database-url` pointing at PostgreSQL instead of SQLite files in",
        "the data directory, the same workloads and settings, in the same run (one server at a time).",
        *postgres_server(r),
        "",
        *postgres_table(r),
        "",
        "## At scale",
        "",
        "`pool serve` (one process) on a pool of N users, one connection. Users are written directly into the",
        "database of a stopped server (rows as AdminCreateUser and a permanent AdminSetUserPassword",
        "leave them, one shared argon2id hash, every tenth user disabled), after the server itself",
        "created the schema, the pool and its app client; data sets are cached under",
        "`bench/.cache/datasets`, keyed by user count and schema version, and every run works on a",
        "copy. `AdminGetUser` asks for the middle user; `ListUsers` filters",
        '`email ^= "user000…"` with a prefix matching ten users.',
        "",
        *scale_table(r.scale),
        "",
        *scale_targets(r.scale, s.quick),
        "",
        "## What bounds each figure",
        "",
        *[f"- {b}" for b in BOUNDS],
        "",
    ]
    return "\n".join(lines)
