"""Which errors mean that a store could not be reached, rather than a bug.

A restart or fail-over of PostgreSQL or Redis, or a network cut to either, shows up as a connection
error on whatever request needs the store next. The answer to such a request is "try again in a
moment" (``web.store_outage``), not a server error with a traceback.
"""

from __future__ import annotations

import functools


@functools.cache
def _unreachable_types() -> tuple[type[BaseException], ...]:
    """PostgreSQL: a refused, dropped or silent connection, or the server shutting down (psycopg's
    ``OperationalError``, raw or as SQLAlchemy wraps it), and no pooled connection free in time
    (SQLAlchemy's ``TimeoutError``: every one is waiting for a slow or silent server). Redis: a
    refused, dropped or timed-out connection. SQLite is a file in the data directory: its errors are left as they are. Imported
    when first needed, as the stores' own modules are: a deployment without them never loads them."""
    import psycopg
    import redis.exceptions
    import sqlalchemy.exc

    return (
        psycopg.OperationalError,
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.TimeoutError,
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
    )


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says a database or Redis could not be reached."""
    return isinstance(exc, _unreachable_types())


def summary(exc: BaseException) -> str:
    """One line for the log: the error's class and the first line of its message (the drivers put
    the host and port in these, never a password)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__
