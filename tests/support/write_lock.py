"""Whether a step runs while its call holds the store's write lock: another thread tries a write
transaction as the step starts. On SQLite that lock is the database's; on PostgreSQL every write
transaction takes one advisory lock."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from types import TracebackType
from typing import Any

from mfa_portal.pool.engine import Engine

PATIENCE = 5.0  # seconds a free lock never takes; a held one makes the write wait for the commit


class WriteProbe:
    """Wraps steps (``watched``) and records, for each call, whether a write went through meanwhile
    (``steps``). Use it as a context manager: it waits for the writes its steps held back."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._others = ThreadPoolExecutor(1)
        self._blocked: list[Future[None]] = []
        self.steps: list[tuple[str, bool]] = []

    def watched(self, name: str, step: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            write = self._others.submit(self._write)
            try:
                write.result(timeout=PATIENCE)
                self.steps.append((name, True))
            except FutureTimeout:  # waits for our transaction: it goes on once we commit
                self.steps.append((name, False))
                self._blocked.append(write)
            return step(*args, **kwargs)

        return run

    def _write(self) -> None:
        with self._engine.db.transaction() as conn:
            conn.execute("UPDATE users SET failed_attempts = failed_attempts WHERE id = -1")
        self._engine.db.close()  # this thread's connection

    def __enter__(self) -> WriteProbe:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for write in self._blocked:  # done before the engine closes its connections under them
            write.result(timeout=60)
        self._others.shutdown()
