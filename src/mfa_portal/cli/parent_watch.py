"""A worker stops when the server process that started it is gone.

uvicorn's supervisor checks its workers over a pipe, but each spawned worker holds both ends of that
pipe, so it never sees the other end close. A supervisor killed with SIGKILL (by hand, by the
out-of-memory killer, or by a crash) therefore left its workers running: still serving on the shared
socket, with nobody to replace one that died, and a restart failed with "address already in use" until
someone found them and killed them one by one.

So each worker watches its parent. When the kernel has given the worker a new parent (init, or a
subreaper such as a container's init), the old one is gone, and the worker stops as SIGTERM stops it:
it answers the requests already in flight, then exits. Polling ``getppid`` twice a second is one cheap
system call; ``PR_SET_PDEATHSIG`` would fire on the exit of the thread that started the worker, not of
the process, and uvicorn may start a replacement worker from any thread.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

log = logging.getLogger(__name__)

CHECK_SECONDS = 0.5


def stop_with_parent(check_seconds: float = CHECK_SECONDS) -> threading.Thread:
    """Watch, from a daemon thread, for this process's parent to go; then SIGTERM this process."""
    parent = os.getppid()
    thread = threading.Thread(
        target=_watch, args=(parent, check_seconds), name="parent-watch", daemon=True
    )
    thread.start()
    return thread


def _watch(parent: int, check_seconds: float) -> None:
    while os.getppid() == parent:
        time.sleep(check_seconds)
    log.warning(
        "the server process %d that started this worker is gone; this worker stops after the "
        "requests it is answering",
        parent,
    )
    os.kill(os.getpid(), signal.SIGTERM)
