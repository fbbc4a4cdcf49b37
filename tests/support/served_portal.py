"""``mfa-portal serve``'s whole app in this process, on a free loopback port: for browser tests that
need a real server to point Chromium at but want to set up users through the backend directly."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mfa_portal.cognito_api.client import CognitoClient, CognitoError
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.settings import load_settings
from mfa_portal.wiring.app import serving_app
from mfa_portal.wiring.backend import PortalBackend, open_embedded
from tests.support.setup import create_user
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


@contextmanager
def portal_with_root(data_dir: Path) -> Iterator[tuple[str, PortalBackend, CognitoClient, str]]:
    """``portal_in_thread`` as the browser galleries use it: none of the test run's ``MFA_PORTAL_*``
    variables, no enrolment proof, and a support admin ``root`` (in ``admins``, not enrolled yet).
    Yields the base URL, the backend, its Cognito client and the pool id."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("MFA_PORTAL_")}
    try:
        with portal_in_thread(data_dir, enrolment_proof="none") as (base, backend):
            idp, pool = backend.client, backend.settings.user_pool_id or ""
            try:
                idp.call("CreateGroup", UserPoolId=pool, GroupName="admins")
            except CognitoError:
                pass  # the first start made it
            create_user(idp, pool, "root", groups=("admins",))
            yield base, backend, idp, pool
    finally:
        os.environ.update(saved)
