"""Where the machine's CPU goes while a workload runs: ``perf record`` on every core, by library.

The InitiateAuth row is a ratio to the argon2 ceiling, so what bounds it is the share of the cores
that is not argon2. The bench measures that share instead of asserting it: one more sign-in round
and one more ceiling round run under ``perf record -a`` (sampling every core, not only the server,
because wrk and the kernel share the cores too), and each sample is filed by the library its
instruction was in (``perf script``'s DSO, with the symbol for the C library's ``memset``, which
argon2 calls to clear its 19 MiB after every hash). Those two rounds are not counted in the row.

perf needs the ``linux-perf`` package and permission to sample every core (root, or
``kernel.perf_event_paranoid`` ≤ 0); without either the report says why there is no split.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

FREQUENCY = 499  # samples per second per core: below the timer tick, not in step with it
START_PATIENCE = 30.0  # seconds for perf to start sampling
ARGON2 = "argon2id hashing"
ARGON2_WIPE = "`memset` in the C library (nearly all of it argon2 clearing its memory after a hash)"
PYTHON = "Python interpreter"
RSA = "cryptography's own OpenSSL (the two RS256 signatures)"
SQLITE = "SQLite"
HTTP = "uvloop, httptools, orjson"
OTHER_LIBRARIES = "other libraries (C library, extension modules)"
KERNEL = "kernel (system calls, scheduling, its own threads)"
WRK = "wrk"
IDLE = "idle"
CATEGORIES = (ARGON2, ARGON2_WIPE, PYTHON, RSA, SQLITE, HTTP, OTHER_LIBRARIES, KERNEL, WRK, IDLE)
ARGON2_PARTS = (ARGON2, ARGON2_WIPE)

# "python3  123  1001001  7f30c5a1 __memset_avx512_unaligned_erms (/usr/lib/x86_64-linux-gnu/libc.so.6)"
_SAMPLE = re.compile(
    r"^\s*(?P<comm>.*?)\s+(?P<pid>\d+)\s+(?P<period>\d+)\s+[0-9a-f]+\s+(?P<sym>.*?)\s*"
    r"\((?P<dso>[^()]*)\)\s*$"
)


@dataclass(frozen=True)
class CpuSplit:
    """Percent of the sampled time in each category (they add up to 100), from ``samples``
    samples."""

    shares: dict[str, float]
    samples: int = 0

    @property
    def argon2(self) -> float:
        return sum(self.shares.get(part, 0.0) for part in ARGON2_PARTS)


def category(comm: str, pid: int, sym: str, dso: str) -> str:
    """The category of one sample: by process for the idle task and wrk, else by library."""
    if pid == 0:
        return IDLE
    if comm == "wrk":
        return WRK
    name = os.path.basename(dso)
    if dso.startswith("[kernel") or dso.startswith("[vdso"):
        return KERNEL
    if "argon2" in dso:
        return ARGON2
    if name.startswith("libc.so") and "memset" in sym:
        return ARGON2_WIPE
    if name.startswith("libpython") or re.fullmatch(r"python3(\.\d+)?", name):
        return PYTHON
    if "cryptography" in dso:  # its wheel links OpenSSL in; the system's libcrypto is other
        return RSA
    if "sqlite" in name:
        return SQLITE
    if any(part in dso for part in ("uvloop", "httptools", "orjson")):
        return HTTP
    return OTHER_LIBRARIES


def split(script_output: str, pid: int | None = None) -> CpuSplit:
    """``perf script -F comm,pid,period,ip,sym,dso`` output as shares of every core's time, or of
    process ``pid``'s only (ValueError: no samples)."""
    totals = dict.fromkeys(CATEGORIES, 0)
    samples = 0
    for line in script_output.splitlines():
        m = _SAMPLE.match(line)
        if m is None or (pid is not None and int(m["pid"]) != pid):
            continue
        where = category(m["comm"], int(m["pid"]), m["sym"], m["dso"])
        totals[where] += int(m["period"])
        samples += 1
    whole = sum(totals.values())
    if whole == 0:
        raise ValueError("perf recorded no samples")
    return CpuSplit({name: 100.0 * value / whole for name, value in totals.items()}, samples)


def unavailable() -> str | None:
    """Why perf cannot sample every core here, or None when it can."""
    if shutil.which("perf") is None:
        return "perf is not installed (Debian package `linux-perf`; `make bench` installs it)"
    with tempfile.TemporaryDirectory() as tmp:
        probe = subprocess.run(
            ["perf", "record", "-a", "-q", "-o", str(Path(tmp) / "probe.data"), "--", "true"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    if probe.returncode != 0:
        said = " ".join(line.strip() for line in probe.stderr.splitlines() if line.strip())
        return "perf may not sample every core here: " + (said[:200] or "it failed")
    return None


class Sampling:
    """``with Sampling() as sampling:`` perf samples every core for the block; ``sampling.split()``
    after it says where their time went.

    perf starts with its events off, and the block starts only once perf says they are on (its
    control FIFOs), so the samples cover the block and not perf's own start."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self._data = Path(self._tmp.name) / "perf.data"
        self._recorder: subprocess.Popen[bytes] | None = None
        self._control: int | None = None
        self._script: str | None = None  # perf script's samples, once the block has ended

    def __enter__(self) -> Sampling:
        ctl, ack = Path(self._tmp.name) / "ctl", Path(self._tmp.name) / "ack"
        os.mkfifo(ctl)
        os.mkfifo(ack)
        self._recorder = subprocess.Popen(
            ["perf", "record", "-a", "-q", "-F", str(FREQUENCY), "-D", "-1"]
            + ["--control", f"fifo:{ctl},{ack}", "-o", str(self._data)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            self._control = _switch_on(self._recorder, ctl, ack)
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            err = self._stop()
            if kind is None:
                self._script = self._read(err)
        finally:
            self._tmp.cleanup()

    def split(self, pid: int | None = None) -> CpuSplit:
        """Where every core's time went during the block (or process ``pid``'s, when given)."""
        if self._script is None:
            raise RuntimeError("no samples: the sampled block has not ended, or it failed")
        return split(self._script, pid)

    def _stop(self) -> bytes:
        recorder, err = self._recorder, b""
        if recorder is not None:
            recorder.send_signal(signal.SIGINT)  # perf writes its file and exits on SIGINT
            _, err = recorder.communicate(timeout=120)
        if self._control is not None:
            os.close(self._control)
            self._control = None
        return err

    def _read(self, err: bytes) -> str:
        recorder = self._recorder
        if recorder is None or recorder.returncode not in (0, -signal.SIGINT):
            raise RuntimeError(f"perf record failed: {err.decode(errors='replace')[-300:]}")
        script = subprocess.run(
            ["perf", "script", "-i", str(self._data), "-F", "comm,pid,period,ip,sym,dso"],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        split(script.stdout)  # no samples at all is an error here, not a report of zeros
        return script.stdout


def _switch_on(recorder: subprocess.Popen[bytes], ctl: Path, ack: Path) -> int:
    """Tell perf to start sampling and wait until it says it has; the open control FIFO."""
    deadline = time.monotonic() + START_PATIENCE
    answers = os.open(ack, os.O_RDONLY | os.O_NONBLOCK)
    try:
        while True:  # perf opens its end once it is ready for commands
            try:
                control = os.open(ctl, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as exc:
                if exc.errno != errno.ENXIO:
                    raise
            _still_starting(recorder, deadline)
            time.sleep(0.01)
        try:
            os.write(control, b"enable\n")
            _await_ack(recorder, answers, deadline)
        except BaseException:
            os.close(control)
            raise
        return control
    finally:
        os.close(answers)


def _await_ack(recorder: subprocess.Popen[bytes], answers: int, deadline: float) -> None:
    answer = b""
    while not answer.startswith(b"ack"):
        got = b""
        if select.select([answers], [], [], 0.1)[0]:
            with contextlib.suppress(BlockingIOError):
                got = os.read(answers, 16)
        if not got:  # perf has not opened its end yet: that reads as an empty FIFO
            time.sleep(0.01)
        answer += got
        _still_starting(recorder, deadline)


def _still_starting(recorder: subprocess.Popen[bytes], deadline: float) -> None:
    if recorder.poll() is not None:
        err = recorder.stderr.read().decode(errors="replace") if recorder.stderr else ""
        raise RuntimeError(f"perf record stopped before sampling: {err[-300:]}")
    if time.monotonic() > deadline:
        raise RuntimeError(f"perf record did not start sampling within {START_PATIENCE:g} s")
