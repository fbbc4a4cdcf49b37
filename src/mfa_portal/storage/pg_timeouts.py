"""How long either end of a PostgreSQL connection waits for a peer that has gone silent.

A server that stops or restarts closes its connections, and the pool notices that at checkout. A
host that vanishes — a crashed machine, a fail-over that moves the address, a network split — says
nothing: packets stop arriving, and TCP's own patience is about 15 minutes for data it sent and 2
hours for an idle connection. Without limits of our own, each request on such a connection held its
worker thread for those 15 minutes; and a replica that vanished inside a write transaction kept the
store's write lock (``pg_advisory_xact_lock``) that long, so no replica could sign anyone in.

So both ends get TCP limits that every connection sets for itself, with no server configuration:

- this side (libpq's ``keepalives*`` and ``tcp_user_timeout``): a statement whose bytes go
  unacknowledged fails after 15 s, and a wait for an answer on a link that stopped answering
  keepalive probes fails after about 16 s (probes from 10 s of silence on, every 3 s, and given up
  15 s after the last word); the request then answers 503 (``storage.outage``);
- the server's side (its ``tcp_keepalives_*`` and ``tcp_user_timeout``, sent as startup options):
  the server ends a vanished client's session, and with it the transaction and its lock, as soon;
- ``idle_in_transaction_session_timeout`` (60 s) ends a transaction whose client is alive but stuck
  (a frozen process, a paused machine), which would otherwise hold the write lock for as long.

Probes go out only on an idle connection, 60 bytes every few seconds, and are answered by the peer's
kernel, so a busy server never fails them. A URL may set any of these itself (``?keepalives_idle=30``,
``?options=-c%20tcp_user_timeout%3D30000``), and its value wins.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

#: libpq's own settings for this side of every connection.
CLIENT: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 3,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,
}

#: The server's settings for its side of the session, in milliseconds or seconds as it takes them.
SERVER: dict[str, int] = {
    "tcp_keepalives_idle": 10,
    "tcp_keepalives_interval": 3,
    "tcp_keepalives_count": 3,
    "tcp_user_timeout": 15_000,
    "idle_in_transaction_session_timeout": 60_000,
}


def connect_settings(url: sa.URL, schema: str | None = None) -> dict[str, Any]:
    """The settings a connection to ``url`` is opened with: ``CLIENT``'s where the URL sets none of
    its own, and ``options`` with the server's half, then the URL's own options (later ``-c`` wins),
    then the schema's ``search_path`` (last: the store's tables are only there)."""
    settings: dict[str, Any] = {k: v for k, v in CLIENT.items() if k not in url.query}
    parts = [f"-c {name}={value}" for name, value in SERVER.items()]
    own = url.query.get("options")
    if own:
        parts.append(own if isinstance(own, str) else " ".join(own))
    if schema is not None:
        parts.append(f"-c search_path={schema}")
    settings["options"] = " ".join(parts)
    return settings
