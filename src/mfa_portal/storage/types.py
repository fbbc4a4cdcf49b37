"""The call shape every module uses, whichever engine is underneath.

A transaction yields a ``Connection``; ``execute(sql, params)`` takes SQL with ``?`` placeholders and a
tuple, and returns a ``Cursor``; rows answer ``row["column"]`` and ``row[0]``. On SQLite these are the
standard library's own objects (``sqlite3.Connection`` with ``sqlite3.Row``), on PostgreSQL thin
wrappers around psycopg's, so the modules above never see which engine they run on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol


class Row(Protocol):
    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...
