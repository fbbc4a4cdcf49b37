"""Copy one store from its SQLite file into its PostgreSQL schema, ids and sealed values unchanged.

``mfa-portal db copy`` moves a single-node deployment onto PostgreSQL with this, store by store. Both
sides are opened as the storage layer opens them (so both are migrated to the same schema version
first), then every table is copied in foreign-key order inside ONE PostgreSQL transaction holding the
store's write lock: a copy that fails half-way leaves the target as it was, and no replica writes into
it meanwhile. Rows are copied as they are — ids, sealed seeds, hashes, the audit trail's ids and
times — and each identity sequence is moved past the highest copied id, so new rows never collide.

A target that already holds rows is refused unless ``force`` is given; then its rows are deleted in
the same transaction. The audit trail's append-only triggers refuse that delete, so they are disabled
for the transaction only (``ALTER TABLE … DISABLE TRIGGER USER`` is transactional in PostgreSQL and
locks the table, so no other session ever sees the trail unprotected) and are in force again when the
copy commits. Inserting never needed them off: the triggers refuse only UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mfa_portal.storage.database import Database
from mfa_portal.storage.errors import StartupError

BATCH = 1000


class CopyError(Exception):
    """The copy cannot be made as asked; the message is one line saying why and what to do."""


@dataclass(frozen=True)
class Copied:
    schema: str
    rows: dict[str, int]  # table -> rows copied


def copy_store(
    source: Path, target_url: str, schema: str, migrations: Sequence[str], *, force: bool = False
) -> Copied:
    """Copy the SQLite store at ``source`` into ``schema`` at ``target_url``."""
    if not source.is_file():
        raise CopyError(f"{source} does not exist: nothing to copy")
    src = Database(source, migrations)
    try:
        dst = Database(source, migrations, url=target_url, schema=schema)
    except StartupError:
        src.close_all()
        raise
    try:
        return _copy(src, dst, schema, force)
    finally:
        src.close_all()
        dst.close_all()


def _copy(src: Database, dst: Database, schema: str, force: bool) -> Copied:
    import sqlalchemy as sa

    from mfa_portal.storage.postgres import PostgresBackend

    backend = dst._backend
    assert isinstance(backend, PostgresBackend)
    ordered = [
        name
        for name, _ in sa.inspect(backend.engine).get_sorted_table_and_fkc_names(schema=schema)
        if name is not None and name != "schema_version"
    ]
    copied: dict[str, int] = {}
    with src.read() as reader, dst.transaction() as writer:
        held = [t for t in ordered if writer.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()]
        if held and not force:
            raise CopyError(
                f"{dst.where} already holds data (tables: {', '.join(held)}): copy into an "
                "empty database, or pass --force to replace what is there"
            )
        if held:
            for table in ordered:
                writer.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for table in reversed(ordered):
                writer.execute(f"DELETE FROM {table}")
            for table in ordered:
                writer.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        for table in ordered:
            cursor = reader.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]  # type: ignore[attr-defined]
            insert = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            if any(c == "id" for c in columns) and _is_identity(writer, table):
                insert = insert.replace(" VALUES", " OVERRIDING SYSTEM VALUE VALUES", 1)
            count = 0
            while rows := cursor.fetchmany(BATCH):  # type: ignore[attr-defined]
                writer.executemany(insert, [tuple(row) for row in rows])
                count += len(rows)
            copied[table] = count
            if _is_identity(writer, table):
                writer.execute(
                    f"SELECT setval(pg_get_serial_sequence('{schema}.{table}', 'id'), "
                    f"GREATEST((SELECT max(id) FROM {table}), 1), "
                    f"(SELECT max(id) FROM {table}) IS NOT NULL)"
                )
    return Copied(schema, copied)


def _is_identity(conn: object, table: str) -> bool:
    row = conn.execute(  # type: ignore[attr-defined]
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ? AND column_name = 'id' AND is_identity = 'YES'",
        (table,),
    ).fetchone()
    return row is not None
