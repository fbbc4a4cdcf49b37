"""The storage layer: SQLite files by default, PostgreSQL schemas with a database URL, one call shape."""

from mfa_portal.storage.database import Database, is_postgres_url
from mfa_portal.storage.errors import (
    ConstraintError,
    IntegrityError,
    StartupError,
    private_dir,
    unwritable,
)
from mfa_portal.storage.sqlite_file import statements
from mfa_portal.storage.types import Connection, Cursor, Row

__all__ = [
    "Connection",
    "ConstraintError",
    "Cursor",
    "Database",
    "IntegrityError",
    "Row",
    "StartupError",
    "is_postgres_url",
    "private_dir",
    "statements",
    "unwritable",
]
