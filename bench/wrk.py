"""Drive one HTTP workload with wrk and read back throughput and the latency distribution.

Load comes from wrk (C, epoll), not from Python threads, so the figure is the server's. wrk's own
summary text is hard to parse reliably (units change with magnitude), so every run adds a Lua
``done`` callback that prints one JSON line with requests, duration, p50, p99 and error counts in
microseconds. wrk counts every response of 400 or more as a ``status`` error; a workload that
expects a 401 (forward-auth without a cookie) therefore expects *every* response to be one.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MARKER = "BENCH_JSON "

DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    "MARKER", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
""".replace("MARKER", MARKER)


class WrkError(RuntimeError):
    """wrk did not run, or the server did not answer the workload as it should."""


@dataclass(frozen=True)
class Figure:
    """One wrk run: throughput and latency as measured by the load generator."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    connections: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def combined(rounds: list[Figure]) -> Figure:
    """Rounds of one workload as one figure: throughput over all of them, the median round's
    latencies (rounds alternate with the reference's, so drift in the machine hits both alike)."""
    if not rounds:
        raise ValueError("no rounds to combine")
    middle = sorted(rounds, key=lambda f: f.rps)[len(rounds) // 2]
    return Figure(
        requests=sum(f.requests for f in rounds),
        seconds=sum(f.seconds for f in rounds),
        p50_ms=middle.p50_ms,
        p99_ms=middle.p99_ms,
        connections=middle.connections,
    )


def _lua_string(value: str) -> str:
    """A Lua long-bracket literal: no escaping needed for JSON bodies or signatures."""
    level = "=" * 3
    if f"]{level}]" in value:
        raise ValueError("value contains the long-bracket terminator")
    return f"[{level}[{value}]{level}]"


def script(method: str = "GET", body: str = "", headers: dict[str, str] | None = None) -> str:
    """A wrk Lua script sending one fixed request, plus the JSON ``done`` reporter."""
    lines = [f"wrk.method = {_lua_string(method)}"]
    if body:
        lines.append(f"wrk.body = {_lua_string(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}")
    return "\n".join(lines) + "\n" + DONE


def parse(output: str, connections: int) -> tuple[Figure, dict[str, int]]:
    """The Figure and the error counts from wrk's stdout (the line the ``done`` callback wrote)."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            figure = Figure(
                requests=int(data["requests"]),
                seconds=int(data["duration_us"]) / 1e6,
                p50_ms=int(data["p50_us"]) / 1000,
                p99_ms=int(data["p99_us"]) / 1000,
                connections=connections,
            )
            errors = {k: int(data[k]) for k in ("connect", "read", "write", "status", "timeout")}
            return figure, errors
    raise WrkError(f"wrk printed no result line:\n{output[-2000:]}")


def run(
    url: str,
    lua: str,
    *,
    duration: float,
    connections: int,
    expect_error_status: bool = False,
) -> Figure:
    """Run wrk against ``url`` for ``duration`` seconds; refuse a run with unexpected answers.

    ``expect_error_status``: every response must be >= 400 (e.g. the 401 of anonymous
    forward-auth); otherwise none may be. Socket errors always fail the run.
    """
    threads = max(1, min(2, connections))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(lua)
    try:
        proc = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "30s",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=duration + 120,
        )
    finally:
        Path(handle.name).unlink(missing_ok=True)
    if proc.returncode != 0:
        raise WrkError(f"wrk exited with {proc.returncode}: {proc.stderr.strip()[-500:]}")
    figure, errors = parse(proc.stdout, connections)
    if figure.requests == 0:
        raise WrkError(f"{url}: no request completed")
    sockets = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    wrong = figure.requests - errors["status"] if expect_error_status else errors["status"]
    if sockets or wrong:
        raise WrkError(
            f"{url}: {wrong} unexpected statuses and {sockets} socket errors in "
            f"{figure.requests} requests"
        )
    return figure
