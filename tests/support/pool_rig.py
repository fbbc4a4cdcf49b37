"""What the auth and recovery unit tests share: a pool made through the API, users, error checks."""

from __future__ import annotations

from typing import Any

from mfa_portal.clock import FakeClock
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_pool, save_pool

IAM = "test"
PASSWORD = "Passw0rd!x"
TEMPORARY_PASSWORD = "Temp-pass-123"


def recovery_setting(mechanisms: list[str]) -> dict[str, Any]:
    """An AccountRecoverySetting that ranks ``mechanisms`` in the order given."""
    ranked = [{"Name": name, "Priority": i + 1} for i, name in enumerate(mechanisms)]
    return {"RecoveryMechanisms": ranked}


class PoolRig:
    """One pool made through the Cognito API; subclasses add the app client and their calls."""

    client_id: str
    secret: str | None

    def __init__(self, engine: Engine, pool: dict[str, Any]) -> None:
        self.engine = engine
        self.pool_id: str = engine.call("CreateUserPool", pool, iam_principal=IAM)["UserPool"]["Id"]

    def add_client(self, **client: Any) -> None:
        made = self.admin("CreateUserPoolClient", **client)["UserPoolClient"]
        self.client_id = made["ClientId"]
        self.secret = made.get("ClientSecret")

    @property
    def clock(self) -> FakeClock:
        assert isinstance(self.engine.clock, FakeClock)
        return self.engine.clock

    def admin(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, {"UserPoolId": self.pool_id, **params}, iam_principal=IAM)

    def create_user(self, name: str, attrs: list[dict[str, str]], *, permanent: bool) -> None:
        """An invited user; ``permanent`` gives them PASSWORD, leaving FORCE_CHANGE_PASSWORD."""
        self.admin(
            "AdminCreateUser",
            Username=name,
            UserAttributes=attrs,
            MessageAction="SUPPRESS",
            TemporaryPassword=TEMPORARY_PASSWORD,
        )
        if permanent:
            self.admin("AdminSetUserPassword", Username=name, Password=PASSWORD, Permanent=True)

    def store_mfa(self, doc: dict[str, Any]) -> None:
        """Written directly: the pool's stored SetUserPoolMfaConfig document."""
        with self.engine.db.transaction() as conn:
            pool = load_pool(conn, self.pool_id)
            pool.mfa = doc
            save_pool(conn, pool)
