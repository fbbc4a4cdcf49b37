"""``mfa-portal serve``'s whole app in this process, on a free loopback port: for browser tests that
need a real server to point Chromium at but want to set up users through the backend directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.settings import load_settings
from mfa_portal.wiring.app import serving_app
from mfa_portal.wiring.backend import PortalBackend, open_embedded
from tests.support.wire import ServerThread, bound_socket


@contextmanager
def portal_in_thread(data_dir: Path, **settings: Any) -> Iterator[tuple[str, PortalBackend]]:
    """The embedded pool, its ``/cognito`` front and the portal, served from a thread; yields the
    base URL and the backend (its Cognito client sets up users). ``settings`` are ``load_settings``
    keywords; the caller keeps ``MFA_PORTAL_*`` variables and ``.env`` files out of the way."""
    sock = bound_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    backend = open_embedded(
        load_settings(data_dir=data_dir, **settings),
        base_url=base,
        hasher=PasswordHasher(memory_kib=1024, time_cost=1),
    )
    try:
        server = ServerThread(serving_app(backend), sock)
        server.start()
        try:
            yield base, backend
        finally:
            server.stop()
    finally:
        backend.close()
