"""One first start at a time per data directory.

The first start of a server on an empty data directory creates things that must exist once: the
pool, its keys and IAM key pair, the first administrator, the portal's secret key. Two servers
started at the same moment on the same fresh directory (two ``serve`` commands, or a service
manager restarting one while another is still starting) would each find nothing and each create
their own, and one of them would print a password that no longer works. So the start-up work runs
under an exclusive lock on a file in the data directory; the second server waits, then finds
everything the first created. Worker processes start only after it, and never create anything.

With a shared PostgreSQL database the same holds across machines: replicas of one deployment have
data directories of their own, so the file lock cannot see them. There the start-up work also runs
under a database-wide advisory lock (``pg_advisory_lock``, held by a connection of its own and
released when the start is done or its process dies); a replica that starts beside an empty
database while another is creating the pool waits, then finds the pool, keys and administrator the
other created, instead of creating a second set.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mfa_portal.sqlite import StartupError, private_dir

LOCK_FILE = ".start.lock"
DATABASE_LOCK = "first-start"
PATIENCE = 300.0  # seconds a start waits for another replica's; a first start takes a few
BUSY = (
    "another replica has been starting on this database for 5 minutes and still holds the "
    "start-up lock: check it (a stuck process holds the lock until it ends), then start again"
)


@contextmanager
def first_start_lock(data_dir: Path, database_url: str | None = None) -> Iterator[None]:
    """Hold the data directory's start lock (created 0600) for the block, and with a database URL
    the database's start-up lock too; both released on exit."""
    private_dir(data_dir)
    path = data_dir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StartupError(
            f"cannot open {path} ({exc.strerror or exc}): give this user write access to "
            f"{data_dir}, or use another data directory"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks while another server is starting
        if database_url is None:
            yield
            return
        from mfa_portal.storage.postgres import session_lock

        with session_lock(database_url, DATABASE_LOCK, patience=PATIENCE, busy=BUSY):
            yield
    finally:
        os.close(fd)  # closing the file releases the lock
