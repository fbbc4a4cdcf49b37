"""The storage layer's former name: ``SQLiteFile`` and friends, kept so existing imports keep working.

New code imports ``mfa_portal.storage``; ``SQLiteFile`` is its ``Database`` (a SQLite file unless a
PostgreSQL URL is given).
"""

from __future__ import annotations

from mfa_portal.storage import Database as SQLiteFile
from mfa_portal.storage import StartupError, private_dir, statements, unwritable

__all__ = ["SQLiteFile", "StartupError", "private_dir", "statements", "unwritable"]
