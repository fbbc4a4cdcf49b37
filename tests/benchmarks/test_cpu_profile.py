"""The bench's CPU split: how perf's samples are filed, that real sampling covers only its block,
and how the report states it (per sign-in, beside the ceiling's round)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench import argon2_ceiling, cpu_profile, report, serving
from bench.cpu_profile import CpuSplit
from bench.results import PoolFigures, SignInCpu
from tests.support.tools import missing, require_tool

LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6"
ARGON2_SO = "/venv/lib/python3.11/site-packages/_argon2_cffi_bindings/_ffi.abi3.so"
CRYPTOGRAPHY_SO = "/venv/lib/python3.11/site-packages/cryptography/hazmat/bindings/_rust.abi3.so"

SCRIPT = f"""\
         swapper     0    3000000  ffffffff82240ddb pv_native_safe_halt ([kernel.kallsyms])
         python3  6866   80000000      7fab44015a05 [unknown] ({ARGON2_SO})
         python3  6866    2000000      7fab4401 __memset_avx512_unaligned_erms ({LIBC})
         python3  6866    1000000      7fab4402 malloc ({LIBC})
         python3  6866    4000000      7f3045cf _PyEval_EvalFrameDefault (/usr/lib/libpython3.11.so.1.0)
         python3  6866    3000000      7f3045d0 ossl_rsaz_amm52x20_x2_ifma256 ({CRYPTOGRAPHY_SO})
         python3  6866     500000      7f3045d1 sha256_block_data_order (/usr/lib/libcrypto.so.3)
         python3  6866    1500000      7f3045d2 sqlite3VdbeExec (/usr/lib/libsqlite3.so.0.8.6)
         python3  6866     500000      7f3045d3 [unknown] (/venv/lib/python3.11/site-packages/uvloop/loop.cpython-311-x86_64-linux-gnu.so)
         python3  6866    2000000  ffffffff81bce65c finish_task_switch.isra.0 ([kernel.kallsyms])
             wrk  6875    1000000      55d1a2b3 [unknown] (/usr/bin/wrk)
             wrk  6875     500000  ffffffff81bce65c tcp_sendmsg ([kernel.kallsyms])
       kdamond.0    83    1000000  ffffffff81bce700 damon_pa_check_accesses ([kernel.kallsyms])
a line perf printed that is not a sample
"""


def test_samples_are_filed_by_library_and_add_up_to_the_whole() -> None:
    shares = cpu_profile.split(SCRIPT).shares  # 100,000,000 in all
    assert shares[cpu_profile.ARGON2] == pytest.approx(80.0)
    assert shares[cpu_profile.ARGON2_WIPE] == pytest.approx(2.0)  # libc's memset, not its malloc
    assert shares[cpu_profile.PYTHON] == pytest.approx(4.0)
    assert shares[cpu_profile.RSA] == pytest.approx(3.0)  # the system's libcrypto is not RSA
    assert shares[cpu_profile.OTHER_LIBRARIES] == pytest.approx(1.5)  # malloc and sha256
    assert shares[cpu_profile.SQLITE] == pytest.approx(1.5)
    assert shares[cpu_profile.HTTP] == pytest.approx(0.5)
    assert shares[cpu_profile.KERNEL] == pytest.approx(3.0)  # python3's and kdamond's
    assert shares[cpu_profile.WRK] == pytest.approx(1.5)  # its own code and its system calls
    assert shares[cpu_profile.IDLE] == pytest.approx(3.0)
    assert sum(shares.values()) == pytest.approx(100.0)
    assert set(shares) == set(cpu_profile.CATEGORIES)
    assert cpu_profile.split(SCRIPT).argon2 == pytest.approx(82.0)
    assert cpu_profile.split(SCRIPT).samples == 13
    wrk_only = cpu_profile.split(SCRIPT, pid=6875)  # one process's samples, as their own whole
    assert wrk_only.samples == 2 and wrk_only.shares[cpu_profile.WRK] == pytest.approx(100.0)


def test_a_recording_without_samples_is_an_error_not_a_split_of_zeros() -> None:
    with pytest.raises(ValueError, match="no samples"):
        cpu_profile.split("a line perf printed that is not a sample\n")


def test_without_perf_the_bench_says_which_package_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    why = cpu_profile.unavailable()
    assert why is not None and "`linux-perf`" in why


def test_a_perf_that_may_not_sample_every_core_is_reported_with_its_own_words(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "perf"  # as perf answers a user when kernel.perf_event_paranoid is 2
    fake.write_text(
        "#!/bin/sh\necho 'Error:' >&2\n"
        "echo 'Access to performance monitoring and observability operations is limited.' >&2\n"
        "exit 255\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert cpu_profile.unavailable() == (
        "perf may not sample every core here: Error: Access to performance monitoring and "
        "observability operations is limited."
    )


def perf_may_sample() -> None:
    """perf, allowed to sample every core: so in CI, which runs as root; elsewhere (a developer
    who is not root, under ``kernel.perf_event_paranoid`` 2) the test is skipped with perf's words."""
    require_tool("perf")
    why = cpu_profile.unavailable()
    if why is not None:
        missing(why)


def _burn(seconds: float) -> None:
    """Python's own work, with the clock (a system call) read once per ~3 ms of it."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        for _ in range(100):
            sum(i * i for i in range(1000))


def test_sampling_covers_its_block_only() -> None:
    """This process's own samples, so that other tests running meanwhile do not count."""
    perf_may_sample()
    with cpu_profile.Sampling() as busy:
        _burn(0.6)
    with cpu_profile.Sampling() as quiet:
        time.sleep(0.6)
    _burn(0.6)  # after the block: not in it
    ours = busy.split(os.getpid())
    # Of its user-space time. The kernel's share is not this process's choosing: interrupt work
    # (such as the network traffic of the tests running beside it) is filed under whatever process
    # a core was running, and took up to 22 % of this block's samples on a loaded CI machine.
    user_space = 100 - ours.shares[cpu_profile.KERNEL]
    assert ours.shares[cpu_profile.PYTHON] > 0.8 * user_space, ours.shares
    assert ours.samples > 0.6 * cpu_profile.FREQUENCY / 2  # most of the 0.6 s of one core
    try:
        after = quiet.split(os.getpid()).samples
    except ValueError:  # not one sample of this process while it slept
        after = 0
    assert after < ours.samples / 10
    assert busy.split().samples >= ours.samples  # the whole machine holds this process's too


def test_a_block_that_fails_stops_perf_and_has_no_split() -> None:
    perf_may_sample()
    sampling = cpu_profile.Sampling()
    with pytest.raises(RuntimeError, match="the block failed"), sampling:
        raise RuntimeError("the block failed")
    with pytest.raises(RuntimeError, match="no samples"):
        sampling.split()
    assert _children_named("perf") == []  # no perf of ours left sampling the machine


def _children_named(name: str) -> list[int]:
    found = []
    for pid in serving._children(os.getpid()):
        with contextlib.suppress(OSError):  # ended meanwhile
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                found.append(pid)
    return found


def test_the_ceiling_is_sampled_while_its_processes_verify_not_while_they_start() -> None:
    seen: list[str] = []

    @contextmanager
    def window() -> Iterator[None]:
        seen.append(f"enter: {len(multiprocessing.active_children())} processes alive")
        yield
        seen.append("exit")

    ceiling = argon2_ceiling.measure(2, 0.3, during=window())
    assert seen == ["enter: 2 processes alive", "exit"]
    assert ceiling.per_second > 0


def shares(**given: float) -> CpuSplit:
    filled = dict.fromkeys(cpu_profile.CATEGORIES, 0.0)
    filled.update({getattr(cpu_profile, name): value for name, value in given.items()})
    return CpuSplit(filled)


def test_the_report_states_a_sign_ins_cost_beside_a_verifications() -> None:
    cpu = SignInCpu(
        sign_ins=80.0,
        verifications=100.0,
        server=shares(ARGON2=70.0, ARGON2_WIPE=2.0, PYTHON=20.0, IDLE=8.0),
        ceiling=shares(ARGON2=96.0, ARGON2_WIPE=3.0, IDLE=1.0),
        cores=2,
    )
    lines = report.cpu_table(PoolFigures(sign_in_cpu=cpu))
    text = "\n".join(lines)
    assert "| Python interpreter | 20.0 % | 0.0 % |" in lines
    assert sum(line.startswith("| ") for line in lines) == len(cpu_profile.CATEGORIES) + 1
    # 2 cores over 80 sign-ins/s = 25 ms a sign-in, 72 % of it argon2 = 18 ms
    assert "Per sign-in the 2 cores spent 25.0 ms (80.0 sign-ins/s): 18.0 ms in argon2" in text
    assert "and 7.0 ms on everything else" in text
    assert "a verification took 19.8 ms (100.0/s)" in text  # 2 cores / 100 per s × 99 %
    assert "would have reached 0.73× of the ceiling" in text  # 72 % over 99 %
    assert "these two rounds measured 0.80×" in text


def test_the_report_says_why_there_is_no_split() -> None:
    lines = report.cpu_table(PoolFigures(sign_in_cpu="perf is not installed"))
    assert lines == ["Not measured: perf is not installed."]


def test_the_report_gives_the_spread_of_the_alternating_rounds() -> None:
    rounds: list[tuple[float, float]] = [(90.0, 100.0), (95.0, 110.0), (99.0, 104.0)]
    (text,) = report.round_spread(PoolFigures(initiate_auth_rounds=rounds))
    assert "(3 alternations)" in text and "at 90–99 sign-ins/s" in text
    assert "the ceiling at 100–110 verifications/s" in text
    assert "gave 0.86× to 0.95×" in text  # 95/110 and 99/104
    assert report.round_spread(PoolFigures(initiate_auth_rounds=rounds[:1])) == []


def test_the_rendered_report_has_the_section(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.benchmarks.test_bench_harness import results

    pool: Any = results().pool
    pool.sign_in_cpu = "not profiled"
    text = report.render(results(pool=pool))
    assert f"\n{report.CPU_HEADING}\n" in text and "Not measured: not profiled." in text
