"""The bench: mfa-portal's hot paths under wrk, each beside its reference in the same run.

    .venv/bin/python -m bench.run [--quick] [--write docs/benchmarks.md]

``make bench`` installs what it needs (wrk, moto's server, cognito-local) and runs the full bench;
``--quick`` (2 s per workload, 1,000 and 10,000 users, references not run) is the smoke test;
``--no-postgres`` leaves out the PostgreSQL rows (a machine without PostgreSQL skips them itself).
Environment: ``BENCH_DURATION`` (seconds per workload, default 10), ``BENCH_CONNECTIONS`` (8–16,
default 8), ``BENCH_WORKERS`` (default: the number of cores), ``BENCH_CACHE`` (seeded data sets,
default ``bench/.cache``).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import machine, report
from bench.results import OnPostgres, Results, Settings
from bench.workloads_pg import PostgresMissing, on_postgres
from bench.workloads_wrk import Options, forward_auth, pool_references, scale

CACHE = Path(__file__).resolve().parent / ".cache"
FULL_SIZES = (1_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)
ROUNDS = 3  # alternating rounds per workload and reference (one with --quick)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(description="mfa-portal benchmarks on wrk")
    parser.add_argument("--write", type=Path, help="write the Markdown report to this file")
    parser.add_argument("--quick", action="store_true", help="2 s per workload, small pools")
    parser.add_argument("--duration", type=float, default=None, help="seconds per workload")
    parser.add_argument(
        "--connections", type=int, default=int(env.get("BENCH_CONNECTIONS", "8")), help="8–16"
    )
    parser.add_argument(
        "--workers", type=int, default=int(env.get("BENCH_WORKERS", str(os.cpu_count() or 1)))
    )
    parser.add_argument("--sizes", help="comma-separated pool sizes (default by mode)")
    parser.add_argument(
        "--references",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run moto and cognito-local (default: yes, except with --quick)",
    )
    parser.add_argument(
        "--postgres",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run GetUser, /auth/verify and InitiateAuth on a throwaway PostgreSQL server "
        "(default: yes; skipped with a line in the report when PostgreSQL is not installed)",
    )
    parser.add_argument("--cache", type=Path, default=Path(env.get("BENCH_CACHE", CACHE)))
    args = parser.parse_args(argv)
    if not 8 <= args.connections <= 16:
        parser.error("--connections must be between 8 and 16")
    if args.duration is None:
        args.duration = 2.0 if args.quick else float(env.get("BENCH_DURATION", "10"))
    if args.duration > 240:
        parser.error("--duration above 240 s outlives a replayed SigV4 signature (5 minutes)")
    if args.references is None:
        args.references = not args.quick
    sizes = args.sizes.split(",") if args.sizes else (QUICK_SIZES if args.quick else FULL_SIZES)
    args.sizes = [int(str(s).replace("_", "")) for s in sizes]
    return args


def command(argv: list[str]) -> str:
    names = ("BENCH_DURATION", "BENCH_CONNECTIONS", "BENCH_WORKERS")
    prefix = "".join(f"{k}={shlex.quote(os.environ[k])} " for k in names if k in os.environ)
    if argv == ["--write", "docs/benchmarks.md"]:
        return f"{prefix}make bench"
    return f"{prefix}.venv/bin/python -m bench.run " + " ".join(shlex.quote(a) for a in argv)


def postgres(options: Options, *, wanted: bool) -> OnPostgres | str:
    """The PostgreSQL figures, or why there are none (asked not to, or no PostgreSQL here)."""
    if not wanted:
        return "not run (--no-postgres)"
    try:
        with phase("GetUser, /auth/verify, InitiateAuth on PostgreSQL"):
            return on_postgres(options)
    except PostgresMissing as exc:
        print(f"bench: skipped the PostgreSQL rows: {exc}", file=sys.stderr, flush=True)
        return f"not run ({exc})"


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Progress on stderr: a full run takes minutes, a first 1M-user seeding longer."""
    began = time.monotonic()
    print(f"bench: {name} ...", file=sys.stderr, flush=True)
    yield
    print(f"bench: {name}: {time.monotonic() - began:.1f} s", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(given)
    if shutil.which("wrk") is None:
        print("error: wrk is not installed (make bench installs it)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="mfa-portal-bench-"))
    rounds = 1 if args.quick else ROUNDS
    options = Options(args.duration, args.connections, args.workers, work, args.cache, rounds)
    facts = machine.facts()
    shown = command(given)
    results = Results(
        Settings(args.quick, args.duration, args.connections, args.workers, shown), facts
    )
    try:
        with phase("forward-auth beside the Starlette floor"):
            results.forward_auth = forward_auth(options)
        with phase(
            "GetUser, AdminGetUser, InitiateAuth and the argon2 ceiling"
            + (" beside moto, cognito-local" if args.references else "")
        ):
            results.pool = pool_references(options, references=args.references)
        results.ceiling = results.pool.ceiling
        results.postgres = postgres(options, wanted=args.postgres)
        with phase("at scale: " + ", ".join(f"{n:,}" for n in args.sizes) + " users"):
            results.scale = scale(options, args.sizes)
    except Exception as exc:
        print(f"error: {exc}\n(server logs kept in {work})", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    text = report.render(results)
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
