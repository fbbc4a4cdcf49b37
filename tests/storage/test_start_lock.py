"""The database's start-up lock: one first start at a time across machines, refusals in one line."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from mfa_portal.storage import StartupError
from mfa_portal.storage.postgres import session_lock
from mfa_portal.wiring.start_lock import DATABASE_LOCK, first_start_lock
from tests.support.pg_throwaway import PostgresServer


def test_a_second_start_waits_for_the_first_on_another_data_directory(
    tmp_path: Path, postgres_url: str
) -> None:
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with first_start_lock(tmp_path / "replica-a", postgres_url):
            inside.set()
            time.sleep(0.5)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(30)
    with first_start_lock(tmp_path / "replica-b", postgres_url):  # another directory: no file lock
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]


def test_a_start_held_up_too_long_is_one_line(postgres_url: str) -> None:
    with session_lock(postgres_url, DATABASE_LOCK, patience=30, busy="unused"):
        with pytest.raises(StartupError) as busy:
            with session_lock(postgres_url, DATABASE_LOCK, patience=0.2, busy="another start"):
                pass
    assert str(busy.value) == "another start"
    with session_lock(postgres_url, DATABASE_LOCK, patience=0.2, busy="free again"):
        pass  # released when the first holder's block ended


def test_an_unusable_database_is_one_line_without_the_password(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    url = postgres_server.url(password="not-the-password")
    with pytest.raises(StartupError) as refused:
        with first_start_lock(tmp_path, url):
            pass
    message = str(refused.value)
    assert message.startswith("cannot use the PostgreSQL database postgresql://postgres:***@")
    assert "not-the-password" not in message and "\n" not in message
