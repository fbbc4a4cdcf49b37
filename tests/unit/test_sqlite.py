"""Opening a SQLite file: a damaged file or an unusable place is one line naming it; files are 0600."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from mfa_portal.sqlite import SQLiteFile, StartupError

SCHEMA = ("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\nCREATE INDEX t_v ON t (v);",)


def filled(path: Path) -> None:
    db = SQLiteFile(path, SCHEMA)
    with db.transaction() as conn:
        conn.executemany("INSERT INTO t (v) VALUES (?)", [(f"value {i:06}",) for i in range(3000)])
    db.connect().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close_all()


def test_a_damaged_page_is_found_by_quick_check(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    filled(path)
    with path.open("r+b") as fh:  # the header is intact; a b-tree page in the middle is not
        fh.seek(4096 * 5 + 100)
        fh.write(os.urandom(2000))
    with pytest.raises(StartupError) as info:
        SQLiteFile(path, SCHEMA)
    message = str(info.value)
    assert message.startswith(f"{path} is damaged (")
    assert "restore it from a backup" in message and "\n" not in message
    assert len(message) < 400  # not every damaged cell quick_check lists


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    path.write_bytes(b"not sqlite " * 100)
    with pytest.raises(StartupError, match=r"x\.sqlite3 is damaged \(file is not a database\)"):
        SQLiteFile(path, SCHEMA)


def test_a_directory_that_cannot_be_created_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(StartupError, match="cannot create the directory .*file/data"):
        SQLiteFile(tmp_path / "file" / "data" / "x.sqlite3", SCHEMA)


def test_a_broken_migration_is_a_bug_not_a_damaged_file(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError):
        SQLiteFile(tmp_path / "x.sqlite3", ("THIS IS NOT SQL",))


def test_the_directory_and_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = SQLiteFile(tmp_path / "data" / "x.sqlite3", SCHEMA)
        with db.transaction() as conn:
            conn.execute("INSERT INTO t (v) VALUES ('a')")
        names = ["x.sqlite3", "x.sqlite3-wal", "x.sqlite3-shm"]
        found = {n: stat.S_IMODE((tmp_path / "data" / n).stat().st_mode) for n in names}
        db.close_all()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert found == dict.fromkeys(names, 0o600)


def test_files_left_readable_by_an_older_version_are_tightened(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    SQLiteFile(path, SCHEMA).close_all()
    path.chmod(0o644)
    SQLiteFile(path, SCHEMA).close_all()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
