"""Creating secret files (keys, key pairs) safely: never half-written, never overwritten, mode 0600.

A crash during a first start, or two processes starting at once, must not leave an empty key file (every
sealed seed would become unreadable) nor let the second process replace the first one's key.

Replicas of one deployment must share their keys, so each key can also come from an environment
variable (``NAME``) or from a file it names (``NAME_FILE``, e.g. a mounted secret); ``find_key``
looks in that order and then in the data directory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mfa_portal.sqlite import StartupError, private_dir, unwritable


def create_secret_file(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` (mode 0600) unless it exists; False when another writer won.

    The bytes go to a temporary file that is fsynced and then hard-linked into place, which is atomic
    and fails if ``path`` exists. On file systems without hard links, an exclusive create is used.
    """
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise StartupError(unwritable(path, exc.strerror or str(exc))) from None
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


@dataclass(frozen=True)
class KeyMaterial:
    """A key's bytes and, for messages only, where they came from (never the bytes themselves)."""

    data: bytes = field(repr=False)
    source: str


def find_key(name: str, path: Path, env: Mapping[str, str]) -> KeyMaterial | None:
    """The key from ``$name``, the file ``$name_FILE`` names, or ``path``; None when none is set."""
    value = env.get(name, "")
    if value:
        return KeyMaterial(value.encode(), name)
    named = env.get(f"{name}_FILE", "")
    if named:
        return KeyMaterial(_read(Path(named), f"{name}_FILE"), f"{named} (named by {name}_FILE)")
    if path.exists():
        return KeyMaterial(_read(path, None), str(path))
    return None


def _read(path: Path, named_by: str | None) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        where = f" (named by {named_by})" if named_by else ""
        raise StartupError(
            f"cannot read {path}{where} ({exc.strerror or exc}): "
            "make it readable by this user, or restore it from a backup"
        ) from None
