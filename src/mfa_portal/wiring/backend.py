"""Build the Cognito client the portal uses: the embedded pool in-process, or boto3 to Cognito.

Everything above this module sees only a ``CognitoClient`` and an ID-token verifier; which pool is
behind them is decided here, once, from the settings. Anything that makes the data directory unusable
(a damaged database, a missing or different key, no write access) surfaces as one ``StartupError``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from mfa_portal.cognito_api.client import BotoCognitoClient, CognitoClient, client_config
from mfa_portal.cognito_api.id_tokens import IdTokenVerifier, StaticJwks
from mfa_portal.pool.client import EngineCognitoClient
from mfa_portal.settings import Backend, Settings
from mfa_portal.storage import StartupError as StartupError  # re-exported for the CLI
from mfa_portal.wiring.bootstrap import Bootstrap, ensure_default_pool

if TYPE_CHECKING:
    from mfa_portal.clock import Clock
    from mfa_portal.pool.engine import Engine
    from mfa_portal.pool.passwords import PasswordHasher
    from mfa_portal.pool.wire import WireApp

log = logging.getLogger(__name__)

WIRE_PATH = "/cognito"


@dataclass
class PortalBackend:
    settings: Settings  # with user_pool_id and client_id filled in
    client: CognitoClient
    verifier: IdTokenVerifier | None  # None: verify against the pool's published JWKS
    clock: Any = time.time
    engine: Engine | None = None
    wire_app: WireApp | None = None
    bootstrap: Bootstrap | None = None
    wire_endpoint: str | None = None
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.db.close_all()


def engine_verifier(engine: Engine, *, pool_id: str, client_id: str) -> IdTokenVerifier:
    """Verify ID tokens with the engine's own public keys, in-process (no HTTP round trip)."""
    return IdTokenVerifier(
        StaticJwks(lambda: dict(engine.signer.jwks())),
        issuer=engine.issuer(pool_id),
        client_id=client_id,
        clock=engine.clock.now,
    )


def open_embedded(
    settings: Settings,
    *,
    base_url: str,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
    with_wire: bool = True,
    may_create_pool: bool = True,
) -> PortalBackend:
    """The embedded pool over ``settings.data_dir``, its wire front served at ``<base>/cognito``
    (under ``MFA_PORTAL_BASE_PATH`` when one is set: the whole portal lives under that prefix)."""
    from mfa_portal.pool.engine import Engine

    endpoint = (settings.public_url or base_url).rstrip("/") + settings.base_path + WIRE_PATH
    from mfa_portal.wiring.support import portal_mailer

    # The pool's own mail (email MFA codes, invitations) goes where the portal's goes: SMTP, or the
    # development outbox — never into a memory buffer nobody reads.
    engine = Engine(
        settings.data_dir,
        issuer_base=endpoint,
        region=settings.region,
        clock=clock,
        hasher=hasher,
        mailer=portal_mailer(settings),
        database_url=settings.database,
    )
    credentials = None
    if with_wire:
        from mfa_portal.pool.access_key_binding import bound_credentials

        credentials, _ = bound_credentials(engine, settings.data_dir)
    client = EngineCognitoClient(engine)
    boot: Bootstrap | None = None
    if settings.user_pool_id and settings.client_id:
        pool_id, client_id = settings.user_pool_id, settings.client_id
    else:
        admin_pw = settings.initial_admin_password
        boot = ensure_default_pool(
            client,
            settings.data_dir,
            admin_password=admin_pw.get_secret_value() if admin_pw else None,
            shared=settings.database is not None,
            may_create=may_create_pool,
        )
        pool_id, client_id = boot.ids.user_pool_id, boot.ids.client_id
    settings = settings.model_copy(update={"user_pool_id": pool_id, "client_id": client_id})
    if settings.client_secret is None:
        settings = _with_client_secret(client, settings)
    wire_app = None
    if credentials is not None:
        from mfa_portal.pool.wire import create_wire_app

        wire_app = create_wire_app(
            engine, credentials, failures_per_address=settings.pool_failures_per_address
        )
    return PortalBackend(
        settings=settings,
        client=client,
        verifier=engine_verifier(engine, pool_id=pool_id, client_id=client_id),
        clock=engine.clock.now,
        engine=engine,
        wire_app=wire_app,
        bootstrap=boot,
        wire_endpoint=endpoint,
    )


def _with_client_secret(client: EngineCognitoClient, settings: Settings) -> Settings:
    """The portal's app client's secret, read from the pool it lives in (the default pool's client
    is created with one). A client without one, made before that, still works; the log says why
    it should be replaced (docs/security.md, "Who may bind an authenticator")."""
    described = client.call(
        "DescribeUserPoolClient", UserPoolId=settings.user_pool_id, ClientId=settings.client_id
    )["UserPoolClient"]
    secret = described.get("ClientSecret")
    if not secret:
        log.warning(
            "the portal's app client %s has no secret: anyone who knows a user's password can sign "
            "in through the pool's endpoint with it, around the portal's enrolment proof; give the "
            "portal a client with a secret (MFA_PORTAL_CLIENT_ID, MFA_PORTAL_CLIENT_SECRET)",
            settings.client_id,
        )
        return settings
    return settings.model_copy(update={"client_secret": SecretStr(str(secret))})


def open_cognito(settings: Settings) -> PortalBackend:
    """Amazon Cognito (or any compatible endpoint) through boto3's default credential chain."""
    import boto3

    # A session of its own: boto3's default one keeps the first credentials it resolved for the
    # life of the process, so a backend opened after the environment changed would sign with
    # stale keys.
    boto = boto3.session.Session().client(
        "cognito-idp",
        region_name=settings.region,
        endpoint_url=settings.endpoint_url or None,
        config=client_config(),
    )
    return PortalBackend(settings=settings, client=BotoCognitoClient(boto), verifier=None)


def open_backend(settings: Settings, *, base_url: str) -> PortalBackend:
    if settings.backend is Backend.COGNITO:
        return open_cognito(settings)
    return open_embedded(settings, base_url=base_url)
