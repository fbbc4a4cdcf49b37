"""Creating secret files (keys, key pairs) safely: never half-written, never overwritten, mode 0600.

A crash during a first start, or two processes starting at once, must not leave an empty key file (every
sealed seed would become unreadable) nor let the second process replace the first one's key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def create_secret_file(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` (mode 0600) unless it exists; False when another writer won.

    The bytes go to a temporary file that is fsynced and then hard-linked into place, which is atomic
    and fails if ``path`` exists. On file systems without hard links, an exclusive create is used.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            return _create_exclusive(path, data)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _create_exclusive(path: Path, data: bytes) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return True
