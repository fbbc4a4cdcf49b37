"""A real ``redis-server`` (Debian's) on a free port and a temporary directory, nothing persisted."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.support.tools import require_tool
from tests.support.wire_server import free_port


class RedisProcess:
    """One redis-server that a test may stop and start again on the same port (an outage)."""

    def __init__(self, directory: Path) -> None:
        self.binary = require_tool("redis-server")
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def pause(self) -> None:
        """The server stops answering but keeps its connections open, as a hung or swapping host
        does: only a client's own timeout ends a wait for it."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a paused server would not hear SIGTERM
            self.proc.terminate()
            self.proc.wait(timeout=10)


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """Start redis-server; yield its ``redis://`` URL; stop it. Missing redis: skip (fail in CI)."""
    server = RedisProcess(directory)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
