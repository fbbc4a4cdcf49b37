"""``make bench`` in miniature: the harness runs end to end in its quickest mode and writes a report
with every row, reference and target (the figures themselves are not judged: this machine is shared).

The references (moto, cognito-local) are not started here; ``--quick`` reports them as not run, and
the full bench (``make bench``) refuses to run without them. PostgreSQL is started (the test suite
installs it; without it the bench skips those rows and says why).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import mfa_portal
from bench import cpu_profile, report
from mfa_portal.pool import passwords
from tests.support import pg_throwaway
from tests.support.tools import REPO, require_tool

pytestmark = pytest.mark.slow


def test_the_quick_bench_writes_every_row_with_its_reference(tmp_path: Path) -> None:
    require_tool("wrk")
    require_tool("perf")
    out = tmp_path / "benchmarks.md"
    src = str(Path(mfa_portal.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, str(REPO)])}
    cmd = [sys.executable, "-m", "bench.run", "--quick", "--duration", "1", "--workers", "1"]
    cmd += ["--sizes", "200", "--cache", str(tmp_path / "cache"), "--write", str(out)]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]

    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()

    def row(label: str) -> str:
        found = [line for line in lines if line.startswith(f"| {label} |")]
        assert len(found) == 1, f"no single row {label!r} in:\n{text}"
        return found[0]

    for label in report.REFERENCE_ROWS:
        assert "req/s · p50" in row(label), row(label)  # mfa-portal itself was measured
    assert "bare Starlette (uvicorn, httptools, 1 worker): " in row(report.VERIFY_SIGNED_IN)
    assert "moto: not run (--quick)" in row(report.GET_USER)
    assert "cognito-local: not run (--quick)" in row(report.ADMIN_GET_USER)
    m, t = passwords.MEMORY_KIB // 1024, passwords.TIME_COST
    assert f"argon2id m={m} MiB, t={t}, p={passwords.PARALLELISM}" in row(report.INITIATE_AUTH)
    try:
        pg_throwaway.bin_dir()
    except pg_throwaway.PostgresMissing:  # the bench skips them and says why
        for label in report.POSTGRES_ROWS:
            assert "| not run (PostgreSQL is not installed" in row(label), row(label)
    else:
        for label in report.POSTGRES_ROWS:  # beside the SQLite figure of the same run
            assert row(label).count("req/s · p50") == 2 and "× |" in row(label), row(label)
        assert "`fsync=off`" in text  # the throwaway server's settings are stated
    scale = row("200 users")
    assert scale.count(" ms (") == 2 and " MB |" in scale, scale
    for label in report.SCALE_TARGETS:
        assert "not measured: --quick" in row(label)
    for fact in ("Command:", "CPU:", "Python:", "Date:", "Commit:", "Workers:"):
        assert f"- {fact}" in text
    assert "## What bounds each figure" in text
    assert (tmp_path / "cache" / "datasets").is_dir()  # the seeded pool is kept for the next run
    # where a sign-in's CPU went, beside the ceiling's, both measured by perf in this run
    assert f"\n{report.CPU_HEADING}\n" in text
    why = cpu_profile.unavailable()
    if why is not None:  # not root, outside CI: the report says why, in perf's words
        assert os.environ.get("CI", "").lower() != "true", why
        assert f"Not measured: {why}." in text
        return
    for name in cpu_profile.CATEGORIES:
        assert row(name).endswith(" % |"), row(name)
    python_share = float(row(cpu_profile.PYTHON).split("|")[2].strip(" %"))
    assert python_share > 0  # the server's own work, not only argon2's, was sampled
    assert "Per sign-in the " in text and "ms on everything else" in text
