"""The bench harness's own decisions: what it refuses, how it reads wrk, how it judges a target."""

from __future__ import annotations

import http.server
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bench import argon2_ceiling, cognito_requests, report, run, serving, workloads_wrk, wrk
from bench.argon2_ceiling import Ceiling
from bench.cognito_requests import Prepared
from bench.results import ForwardAuth, OnPostgres, PoolFigures, Results, ScaleRow, Settings
from bench.servers import Server
from tests.support.tools import require_tool

OUTPUT = """Running 1s test @ http://127.0.0.1:1/
  541 requests in 1.01s, 303.78KB read
BENCH_JSON {"requests":541,"duration_us":1010000,"p50_us":15140,"p99_us":50920,"connect":0,"read":0,"write":0,"status":3,"timeout":0}
"""


def figure(rps: float, p50: float = 1.0) -> wrk.Figure:
    return wrk.Figure(
        requests=int(rps * 10), seconds=10.0, p50_ms=p50, p99_ms=p50 * 2, connections=8
    )


def test_the_done_callback_line_gives_throughput_latency_and_errors() -> None:
    fig, errors = wrk.parse(OUTPUT, 8)
    assert fig.requests == 541 and fig.p50_ms == pytest.approx(15.14)
    assert fig.p99_ms == pytest.approx(50.92) and fig.rps == pytest.approx(535.6, abs=0.1)
    assert errors["status"] == 3


def test_output_without_the_result_line_is_an_error() -> None:
    with pytest.raises(wrk.WrkError, match="no result line"):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n", 8)


def test_a_value_that_would_end_the_lua_string_is_refused() -> None:
    with pytest.raises(ValueError, match="terminator"):
        wrk.script(headers={"X": "a]===]b"})


class _NotFound(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def not_found_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_run_whose_answers_are_not_what_the_workload_expects_fails() -> None:
    require_tool("wrk")
    with not_found_server() as url:
        with pytest.raises(wrk.WrkError, match="unexpected statuses"):
            wrk.run(url, wrk.script(), duration=1, connections=1)
        refused = wrk.run(url, wrk.script(), duration=1, connections=1, expect_error_status=True)
    assert refused.requests > 0


def test_a_server_with_workers_is_ready_once_every_worker_has_started(tmp_path: Path) -> None:
    """The first worker answers the probe while the second still builds its app; connections
    opened then would all stay on the first."""
    log = tmp_path / "server.log"
    log.write_text(f"INFO:     {serving.STARTED} [101]\n")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with not_found_server() as url:  # any answer will do for the probe
            second = f"INFO:     {serving.STARTED} [102]\nINFO:     {serving.LIFESPAN_BEGUN}\n"
            later = threading.Timer(0.3, lambda: log.write_text(log.read_text() + second))
            done = threading.Timer(  # the second worker's app finishes its own start-up
                0.6, lambda: log.write_text(log.read_text() + f"{serving.LIFESPAN_DONE}\n")
            )
            done.start()
            later.start()
            began = time.monotonic()
            serving._wait(url, sleeper, log, workers=2, seconds=10)
            assert time.monotonic() - began >= 0.6  # not before the second worker has started
            with pytest.raises(RuntimeError, match="did not start all 3 workers within 1 s"):
                serving._wait(url, sleeper, log, workers=3, seconds=1)
            serving._wait(url, sleeper, None, workers=3, seconds=1)  # no log to read: the probe
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--connections", "4"], "between 8 and 16"),
        (["--connections", "17"], "between 8 and 16"),
        (["--duration", "300"], "SigV4"),
    ],
)
def test_settings_outside_what_the_bench_can_measure_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        run.parse_args(argv)
    assert message in capsys.readouterr().err


def test_quick_mode_leaves_the_references_out_and_the_full_bench_runs_them() -> None:
    quick, full = run.parse_args(["--quick"]), run.parse_args([])
    assert (quick.references, quick.duration, quick.sizes) == (False, 2.0, [1_000, 10_000])
    assert full.references and full.sizes == [1_000, 100_000, 1_000_000]


def test_without_wrk_the_bench_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("bench.run.shutil.which", lambda name: None)
    assert run.main(["--quick"]) == 2
    assert "make bench installs it" in capsys.readouterr().err


def test_the_full_bench_fails_rather_than_skip_a_missing_cognito_local(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    @contextmanager
    def fake_pool(*args: Any, **kwargs: Any) -> Iterator[serving.Running]:
        yield serving.Running("http://127.0.0.1:1", 0, 1)

    @contextmanager
    def moto(*args: Any) -> Iterator[Server]:
        yield Server("moto", "http://127.0.0.1:2", "k", "s")

    @contextmanager
    def absent(*args: Any) -> Iterator[None]:
        yield None

    monkeypatch.setattr(serving, "pool_serve", fake_pool)
    monkeypatch.setattr(workloads_wrk, "moto_server", moto)
    monkeypatch.setattr(workloads_wrk, "cognito_local", absent)
    options = workloads_wrk.Options(1, 8, 1, tmp_path, tmp_path)
    with pytest.raises(RuntimeError, match="make bench-deps"):
        workloads_wrk.pool_references(options, references=True)


def test_workers_are_passed_only_to_a_build_that_offers_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    exe = tmp_path / "mfa-portal"
    monkeypatch.setattr(serving, "BIN", tmp_path)
    for help_text, expected in (("--port INT\n--workers INT", True), ("--port INT", False)):
        exe.write_text(f"#!/bin/sh\necho '{help_text}'\n")
        exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
        serving.supports_workers.cache_clear()
        assert serving.supports_workers("serve") is expected
    serving.supports_workers.cache_clear()


def test_rss_counts_every_worker_process() -> None:
    alone = serving.rss_mib(os.getpid())
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; b = bytearray(64 << 20); time.sleep(60)"]
    )
    try:
        deadline = time.monotonic() + 30
        while serving.rss_mib(child.pid) < 60 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert serving.rss_mib(os.getpid()) - alone >= 60
    finally:
        child.kill()
        child.wait()


def results(**overrides: Any) -> Results:
    base: dict[str, Any] = {
        "settings": Settings(False, 10, 8, 2, "make bench"),
        "machine": {"CPU": "test CPU, 2 cores"},
        "forward_auth": ForwardAuth(figure(3000), figure(5000), figure(10000), 2),
        "pool": PoolFigures(
            pool_workers=2,
            get_user={"mfa-portal": figure(900), "moto": figure(100), "cognito-local": figure(300)},
            admin_get_user={"mfa-portal": figure(900), "moto": figure(100), "cognito-local": "x"},
            initiate_auth=figure(80),
        ),
        "ceiling": Ceiling(100.0, 2, 19 * 1024, 2, 1),
        "postgres": OnPostgres(
            figure(1500),
            figure(450),
            figure(76),
            "PostgreSQL 16.4",
            {"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"},
        ),
    }
    base.update(overrides)
    return Results(**base)


def line(text: str, label: str) -> str:
    return next(x for x in text.splitlines() if x.startswith(f"| {label} |"))


def test_targets_are_judged_against_the_reference_of_the_same_run() -> None:
    text = report.render(results())
    assert "0.30×" in line(text, report.VERIFY_SIGNED_IN)
    assert line(text, report.VERIFY_SIGNED_IN).endswith("**met** |")  # 3000/10000 = 0.30
    assert "| 3.00× | ≥ 3.00× | **met** |" in line(text, report.GET_USER)  # vs cognito-local
    assert line(text, report.INITIATE_AUTH).endswith("**not met** |")  # 80/100 < 0.90
    assert "cognito-local: not run (x)" in line(text, report.ADMIN_GET_USER)


def test_a_miss_that_would_round_to_the_target_is_shown_to_three_places() -> None:
    """89 sign-ins against 99 verifications is 0.899: printed as 0.90 it would read as the target."""
    text = report.render(
        results(
            pool=replace(results().pool, initiate_auth=figure(89)),
            ceiling=Ceiling(99.0, 2, 19 * 1024, 2, 1),
        )
    )
    assert "| 0.899× | ≥ 0.90× | **not met** |" in line(text, report.INITIATE_AUTH)
    text = report.render(
        results(
            pool=replace(results().pool, initiate_auth=figure(90)),
            ceiling=Ceiling(100.0, 2, 19 * 1024, 2, 1),
        )
    )
    assert "| 0.90× | ≥ 0.90× | **met** |" in line(text, report.INITIATE_AUTH)


def test_scale_targets_read_the_rows_they_name() -> None:
    rows = [
        ScaleRow(100_000, figure(300, 3), figure(200, 25), 210 / 1.048576, False, 0),
        ScaleRow(1_000_000, figure(300, 4), figure(50, 21), 400.0, True, 95),
    ]
    text = report.render(results(scale=rows))
    assert line(text, report.TARGET_ADMIN_GET_USER).endswith("| p50 4.0 ms | **met** |")
    assert line(text, report.TARGET_LIST_USERS).endswith("| p50 21.0 ms | **not met** |")
    assert line(text, report.TARGET_RSS).endswith("| 210 MB | **not met** |")
    assert "seeded in 95 s" in line(text, "1,000,000 users")


def test_a_full_run_without_a_size_says_it_was_not_measured() -> None:
    text = report.render(results(scale=[]))
    for label in report.SCALE_TARGETS:
        assert line(text, label).endswith("| not measured | – |")


def test_postgres_rows_stand_beside_the_sqlite_figures_of_the_same_run() -> None:
    text = report.render(results())
    verify, get_user, initiate = (line(text, label) for label in report.POSTGRES_ROWS)
    assert verify.startswith("| `GET /auth/verify`, signed in, on PostgreSQL | 1,500 req/s")
    assert verify.endswith("| 3,000 req/s · p50 1.0 ms · p99 2.0 ms | 0.50× |")
    assert get_user.endswith("| 900 req/s · p50 1.0 ms · p99 2.0 ms | 0.50× |")
    assert initiate.endswith("| 0.95× |")  # 76 / 80
    assert "PostgreSQL 16.4" in text
    assert "`fsync=off`, `full_page_writes=off`, `synchronous_commit=off`" in text
    assert "With `fsync=off` PostgreSQL never waits for the disk" in text


def test_a_durable_postgres_server_is_not_described_as_one_without_fsync() -> None:
    durable = OnPostgres(figure(1), figure(1), figure(1), "PostgreSQL 16.4", {"fsync": "on"})
    text = report.render(results(postgres=durable))
    assert "`fsync=on`" in text and "never waits for the disk" not in text


def test_postgres_rows_that_did_not_run_say_why_and_keep_the_sqlite_figure() -> None:
    text = report.render(results(postgres="not run (--no-postgres)"))
    for label in report.POSTGRES_ROWS:
        assert "| not run (--no-postgres) | " in line(text, label)
        assert line(text, label).endswith("p99 2.0 ms | – |")
    assert "The PostgreSQL rows were not run (--no-postgres)." in text


def test_postgres_runs_by_default_and_no_postgres_leaves_it_out(tmp_path: Path) -> None:
    assert run.parse_args([]).postgres and run.parse_args(["--quick"]).postgres
    assert run.parse_args(["--no-postgres"]).postgres is False
    options = workloads_wrk.Options(1, 8, 1, tmp_path, tmp_path)
    assert run.postgres(options, wanted=False) == "not run (--no-postgres)"


def test_without_postgresql_installed_the_rows_are_skipped_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("glob.glob", lambda pattern: [])  # no /usr/lib/postgresql/*/bin/initdb
    monkeypatch.setattr("shutil.which", lambda name: None)  # and none on PATH
    options = workloads_wrk.Options(1, 8, 1, tmp_path, tmp_path)
    skipped = run.postgres(options, wanted=True)
    assert skipped == "not run (PostgreSQL is not installed (no initdb; make test installs it))"
    assert (
        "bench: skipped the PostgreSQL rows: PostgreSQL is not installed" in capsys.readouterr().err
    )
    text = report.render(results(postgres=skipped))
    assert "| not run (PostgreSQL is not installed" in line(text, report.POSTGRES_ROWS[1])


def test_rounds_combine_into_overall_throughput_and_the_median_rounds_latency() -> None:
    rounds = [
        wrk.Figure(requests=300, seconds=3.0, p50_ms=1.0, p99_ms=9.0, connections=8),  # 100/s
        wrk.Figure(requests=900, seconds=3.0, p50_ms=3.0, p99_ms=7.0, connections=8),  # 300/s
        wrk.Figure(requests=600, seconds=3.0, p50_ms=2.0, p99_ms=8.0, connections=8),  # 200/s
    ]
    whole = wrk.combined(rounds)
    assert (whole.requests, whole.seconds) == (1800, 9.0)
    assert whole.rps == 200.0
    assert (whole.p50_ms, whole.p99_ms) == (2.0, 8.0)  # the 200/s round's
    with pytest.raises(ValueError):
        wrk.combined([])


def test_ceiling_rounds_combine_into_their_mean() -> None:
    from bench.argon2_ceiling import combined

    rounds = [Ceiling(80.0, 2, 19456, 2, 1), Ceiling(100.0, 2, 19456, 2, 1)]
    assert combined(rounds) == Ceiling(90.0, 2, 19456, 2, 1)


def test_a_full_run_alternates_every_server_in_rounds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """GetUser on ours, moto, cognito-local, ours, moto, … — never all of one server first."""
    order: list[str] = []

    def fake_replay(
        req: Any, o: workloads_wrk.Options, connections: int | None = None
    ) -> wrk.Figure:
        order.append(req.url)
        return wrk.Figure(requests=10, seconds=o.duration, p50_ms=1.0, p99_ms=2.0, connections=8)

    @contextmanager
    def server(name: str) -> Iterator[Server]:
        yield Server(name, f"http://{name}", "k", "s")

    class FakeRunning:
        workers = 2
        url = "http://mfa-portal"

        def ready(self) -> None:
            pass

    @contextmanager
    def fake_pool(*args: Any, **kwargs: Any) -> Iterator[FakeRunning]:
        yield FakeRunning()

    monkeypatch.setattr(serving, "pool_serve", fake_pool)
    monkeypatch.setattr(
        workloads_wrk, "pool_server", lambda r, d: Server("mfa-portal", r.url, "k", "s")
    )
    monkeypatch.setattr(workloads_wrk, "moto_server", lambda *a: server("moto"))
    monkeypatch.setattr(workloads_wrk, "cognito_local", lambda *a: server("cognito-local"))
    monkeypatch.setattr(workloads_wrk, "replay", fake_replay)
    monkeypatch.setattr(cognito_requests, "prepare", lambda s: Prepared(s, "p", "c", "u", "t"))
    monkeypatch.setattr(argon2_ceiling, "measure", lambda p, d: Ceiling(50.0, p, 19456, 2, 1))
    monkeypatch.setattr(workloads_wrk, "sign_in_cpu", lambda r, o: "not profiled in this test")
    options = workloads_wrk.Options(9, 8, 2, tmp_path, tmp_path, rounds=3)
    figures = workloads_wrk.pool_references(options, references=True)
    hosts = [url.split("//")[1].split("/")[0] for url in order]
    assert hosts[:6] == ["mfa-portal", "moto", "cognito-local"] * 2
    moto = figures.get_user["moto"]
    assert isinstance(moto, wrk.Figure) and moto.seconds == 9.0  # three 3-second rounds
    assert figures.ceiling == Ceiling(50.0, os.cpu_count() or 1, 19456, 2, 1)
    # nine InitiateAuth rounds (three times the others'), each paired with the ceiling round after it
    assert figures.initiate_auth_rounds == [(10 / 3, 50.0)] * 9
