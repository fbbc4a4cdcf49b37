"""PostgreSQL under the storage layer: SQLAlchemy's engine and pool, psycopg 3, one schema per store.

Connections come from a SQLAlchemy ``QueuePool`` (``postgresql+psycopg``); a transaction checks one
out and uses the psycopg connection underneath directly, because the call sites already speak the
DB-API shape (``execute(sql, params)``, ``row["col"]``) and a Core ``Result`` per statement would only
add cost. Placeholders and DDL are translated in ``dialect``; nothing else differs.

Why an advisory lock and not SERIALIZABLE: the guarantees of the embedded default come from SQLite's
``BEGIN IMMEDIATE`` — one writer at a time, so a read-check-write sequence (the TOTP replay guard's
compare-and-set, spending a single-use challenge session or recovery code, counting a failed attempt)
can never interleave with another. A write transaction here begins with
``pg_advisory_xact_lock(<store key>)``, which gives exactly that: writers of one store (one schema)
queue across threads, processes and replicas, each sees every earlier commit (READ COMMITTED takes a
fresh snapshot per statement, after the lock is held), and the lock ends with the transaction, even
when a replica dies mid-way. SERIALIZABLE would let writers run in parallel but ends racing ones with
a serialisation failure that the caller must retry by re-running its whole body; the ~140 call sites
are ``with db.transaction() as conn:`` blocks, which cannot be replayed, and a retried failure counter
would be easy to double count. Writes are short (hashing happens before, mail after), so one writer per
store costs little; reads never take the lock and run in a REPEATABLE READ snapshot. The pool's and the
portal store's schemas have separate keys, so they never wait for each other.
"""

from __future__ import annotations

import hashlib
import re
import select
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import errors as pg_errors

from mfa_portal.storage.dialect import FUNCTIONS, migration_statements, placeholders
from mfa_portal.storage.errors import ConstraintError, StartupError
from mfa_portal.storage.pg_timeouts import connect_settings
from mfa_portal.storage.sqlite_file import statements

VERSION_TABLE = "schema_version"
POOL_SIZE = 20  # connections per store and process, at most (writes queue on the lock anyway)
#: How long a request waits for one of them when all are in use (SQLAlchemy's default is 30 s).
#: They are all busy for long only when the server is slow or silent, and a request then answers
#: 503 (``storage.outage``) sooner rather than later.
POOL_WAIT_SECONDS = 10.0
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def engine_url(url: str) -> sa.URL:
    """``postgresql://`` (or ``postgres://``) as SQLAlchemy's psycopg 3 URL."""
    parsed = sa.make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+psycopg")


def redacted(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    try:
        return engine_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: say nothing of its content
        return "postgresql://…"


def lock_key(schema: str) -> int:
    """A stable 64-bit advisory lock key per store."""
    digest = hashlib.sha256(f"mfa-portal:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PgRow:
    """A row answering ``row["col"]`` and ``row[0]`` like ``sqlite3.Row``."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return tuple(self._values) == (tuple(other._values) if isinstance(other, PgRow) else other)

    def __hash__(self) -> int:
        return hash(tuple(self._values))

    def __repr__(self) -> str:
        return f"PgRow({tuple(self._values)!r})"


def _row_factory(cursor: Any) -> Any:
    description = cursor.description
    if description is None:
        return tuple
    index = {column.name: i for i, column in enumerate(description)}

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(values, index)

    return make


def _adapt(parameters: Sequence[Any]) -> tuple[Any, ...]:
    """SQLite stores a bool as 0/1 in an INTEGER column; PostgreSQL wants the integer."""
    return tuple(int(p) if type(p) is bool else p for p in parameters)


class PgConnection:
    """A checked-out psycopg connection with the ``execute(sql_with_?, tuple)`` shape."""

    __slots__ = ("fairy", "raw")

    def __init__(self, fairy: Any, raw: psycopg.Connection[Any]) -> None:
        self.fairy = fairy
        self.raw = raw

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        cursor = self.raw.cursor(row_factory=_row_factory)
        try:
            cursor.execute(placeholders(sql), _adapt(parameters))
        except psycopg.IntegrityError as exc:
            raise ConstraintError(_first_line(exc)) from exc
        return cursor

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Any:
        cursor = self.raw.cursor(row_factory=_row_factory)
        try:
            cursor.executemany(placeholders(sql), [_adapt(p) for p in parameters])
        except psycopg.IntegrityError as exc:
            raise ConstraintError(_first_line(exc)) from exc
        return cursor

    def run(self, sql: str) -> None:
        """Statements without parameters, in one round trip (the simple query protocol)."""
        self.raw.execute(sql.encode())


def _dropped(raw: Any) -> bool:
    """Whether the server has closed this idle connection. An idle connection has nothing to read;
    one the server closed has its termination notice or end of file waiting. (A rare notice on a
    live connection, such as a reloaded setting, only costs a reconnect.)"""
    if raw.closed or raw.broken:
        return True
    poller = select.poll()  # not select.select: it refuses descriptors above 1023
    try:
        poller.register(raw.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


class PostgresBackend:
    """One store as a schema of a PostgreSQL database."""

    def __init__(self, url: str, schema: str, migrations: Sequence[str]) -> None:
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(f"not a schema name: {schema!r}")
        self.schema = schema
        self.where = f"{redacted(url)} (schema {schema})"
        self._password = engine_url(url).password or ""
        self._local = threading.local()
        self._begin_write = f"BEGIN; SELECT pg_advisory_xact_lock({lock_key(schema)})"
        self.engine = sa.create_engine(
            engine_url(url),
            # Up to 20, each kept once opened. Overflow connections (closed again on return) made
            # every burst above the kept ones pay for new server processes: at 16 concurrent
            # /auth/verify requests, 150-330 new connections per 5 s, p99 up to 790 ms; kept, none.
            pool_size=POOL_SIZE,
            max_overflow=0,
            pool_timeout=POOL_WAIT_SECONDS,
            pool_recycle=1800,
            connect_args={
                **connect_settings(engine_url(url), schema),
                "autocommit": True,
                "connect_timeout": 10,
                "application_name": "mfa-portal",
            },
        )
        try:
            self._migrate(migrations)
        except (sa.exc.OperationalError, psycopg.OperationalError) as exc:
            self.engine.dispose()
            raise StartupError(self._refusal(exc)) from None
        except (sa.exc.ProgrammingError, psycopg.ProgrammingError) as exc:
            self.engine.dispose()
            if isinstance(getattr(exc, "orig", exc), pg_errors.InsufficientPrivilege):
                raise StartupError(self._refusal(exc)) from None
            raise

    def acquire(self) -> PgConnection:
        """A pooled connection the server has not closed meanwhile.

        After a restart or a fail-over every idle connection in the pool is dead, and each used to
        fail the one request that next took it: a transaction's BEGIN replaced it (``_begin``), but a
        single-statement read or the session store's autocommit statements failed outright, so
        every worker answered several errors after the database came back. A connection the server
        closed reads as ready (its goodbye message, then end of file) where an idle one never does;
        that check costs no round trip, so it runs on every checkout, and such a connection is
        replaced before anything runs on it.
        """
        for _ in range(POOL_SIZE):  # after a restart, every idle connection may be dead
            fairy = self.engine.raw_connection()
            if not _dropped(fairy.driver_connection):
                break
            fairy.invalidate()  # closed; its place in the pool connects anew when next taken
            fairy.close()
        else:
            fairy = self.engine.raw_connection()
        raw: psycopg.Connection[Any] = fairy.driver_connection  # type: ignore[assignment]
        if not raw.autocommit:
            raw.autocommit = True
        return PgConnection(fairy, raw)

    def connect(self) -> PgConnection:
        conn: PgConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.acquire()
        return conn

    def begin_write(self, conn: PgConnection) -> None:
        self._begin(conn, self._begin_write)

    def begin_read(self, conn: PgConnection) -> None:
        self._begin(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ")

    def _begin(self, conn: PgConnection, sql: str) -> None:
        """Begin; a pooled connection the server has dropped (a restart, a fail-over) is replaced
        once, before anything ran on it, instead of failing the request. Only one that failed at
        once: one that failed after a wait met a silent server (``pg_timeouts``), where the next
        pooled connection would keep the request waiting as long again."""
        started = time.monotonic()
        try:
            conn.run(sql)
        except psycopg.OperationalError:
            if not (conn.raw.closed or conn.raw.broken) or time.monotonic() - started > 1.0:
                raise
            conn.fairy.invalidate()
            fresh = self.acquire()
            conn.fairy, conn.raw = fresh.fairy, fresh.raw
            conn.run(sql)

    @staticmethod
    def commit(conn: PgConnection) -> None:
        conn.run("COMMIT")

    @staticmethod
    def rollback(conn: PgConnection) -> None:
        if not conn.raw.closed:
            conn.run("ROLLBACK")

    @staticmethod
    def release(conn: PgConnection) -> None:
        if conn.raw.closed or conn.raw.broken:
            conn.fairy.invalidate()  # a dead server connection never goes back into the pool
        conn.fairy.close()

    def schema_version(self) -> int:
        conn = self.acquire()
        try:
            row = conn.execute(f"SELECT max(version) FROM {VERSION_TABLE}").fetchone()
            return int(row[0] or 0)
        finally:
            self.release(conn)

    def close(self) -> None:
        """Give back the thread's ``connect()`` connection; the others go back after each use."""
        conn: PgConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            self.release(conn)

    def close_all(self) -> None:
        self._local = threading.local()
        self.engine.dispose()

    def _migrate(self, migrations: Sequence[str]) -> None:
        """Create the schema and run the missing migrations, under the store's write lock."""
        conn = self.acquire()
        try:
            conn.run(self._begin_write)
            try:
                conn.run(
                    f"CREATE SCHEMA IF NOT EXISTS {self.schema}; "
                    f"SET LOCAL search_path = {self.schema}; "
                    f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version BIGINT NOT NULL)"
                )
                row = conn.execute(f"SELECT max(version) FROM {VERSION_TABLE}").fetchone()
                current = int(row[0] or 0)
                if current < len(migrations):
                    conn.run(FUNCTIONS)
                for version, script in enumerate(migrations, start=1):
                    if version > current:
                        for statement in statements(script):
                            for translated in migration_statements(statement):
                                conn.raw.execute(translated.encode())
                        conn.execute(f"DELETE FROM {VERSION_TABLE}")
                        conn.execute(f"INSERT INTO {VERSION_TABLE} VALUES (?)", (version,))
                _text_in_byte_order(conn)
                conn.run("COMMIT")
            except BaseException:
                self.rollback(conn)
                raise
        finally:
            self.release(conn)

    def _refusal(self, exc: BaseException) -> str:
        return _refusal(self.where, exc, self._password)


def _refusal(where: str, exc: BaseException, password: str) -> str:
    return (
        f"cannot use the PostgreSQL database {where} ({_first_line(exc, password)}): "
        "check MFA_PORTAL_DATABASE_URL (host, port, database name, user and password) and "
        "that the server accepts this user"
    )


@contextmanager
def session_lock(url: str, name: str, *, patience: float, busy: str) -> Iterator[None]:
    """Hold the database-wide advisory lock ``name`` for the block, on a connection of its own.

    A session-level lock (``pg_advisory_lock``), not a transaction's: the block runs many
    transactions of several stores. It ends when the block exits, or when the process dies and its
    connection drops. Waiting longer than ``patience`` seconds is a ``StartupError`` saying ``busy``.
    """
    parsed = engine_url(url)
    where = redacted(url)
    try:
        conn = psycopg.connect(
            parsed.set(drivername="postgresql").render_as_string(hide_password=False),
            **connect_settings(parsed),  # a starting host that vanishes frees the lock in seconds
            autocommit=True,
            connect_timeout=10,
            application_name="mfa-portal start",
        )
    except psycopg.Error as exc:
        raise StartupError(_refusal(where, exc, parsed.password or "")) from None
    try:
        try:
            conn.execute(f"SET lock_timeout = {int(patience * 1000)}".encode())
            conn.execute(f"SELECT pg_advisory_lock({lock_key(name)})".encode())
        except pg_errors.LockNotAvailable:
            raise StartupError(busy) from None
        yield
    finally:
        conn.close()  # ends the session, and with it the lock


def _text_in_byte_order(conn: PgConnection) -> None:
    """Every text column of the schema compares in byte (code-point) order, as on SQLite.

    A column created without a collation takes the database's, and with ``en_US.UTF-8`` (what
    ``initdb`` picks on most hosts, and RDS's default) ``'Alice' >= 'al'`` is true: a ListUsers
    prefix range, its keyset pages and group pages would return other users than on SQLite. So
    each column not yet ``COLLATE "C"`` is altered once (its indexes are rebuilt with it); a
    schema already in byte order costs one catalog query per start.
    """
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type = 'text' "
        "AND collation_name IS DISTINCT FROM 'C' ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    for table, columns in tables.items():
        changes = ", ".join(f'ALTER COLUMN {c} TYPE text COLLATE "C"' for c in columns)
        conn.run(f"ALTER TABLE {table} {changes}")


def _first_line(exc: BaseException, secret: str = "") -> str:
    """The driver's reason in one line, never the password."""
    orig = getattr(exc, "orig", None) or exc
    reason = " ".join(str(orig).split())
    if secret:
        reason = reason.replace(secret, "***")
    return reason if len(reason) <= 200 else reason[:197] + "..."
