"""USER_SRP_AUTH through the engine: its exponentiations (the challenge's B, then the session key) run
before the transactions that store and spend the session, so no other writer waits for them; and a
password set between that work and the transaction is judged as it is at commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mfa_portal.cognito_api.srp import SrpClient
from mfa_portal.pool import srp
from mfa_portal.pool.engine import Engine
from tests.support.auth_world import ALL_FLOWS, SignInRig, tokens_of
from tests.support.cognito_errors import raises_cognito
from tests.support.pool_rig import PASSWORD
from tests.support.write_lock import WriteProbe

NEW_PASSWORD = "Battery-staple-2!"


def _start(rig: SignInRig, client: SrpClient, name: str = "alice") -> dict[str, Any]:
    params = {"USERNAME": name, "SRP_A": client.srp_a}
    started = rig.engine.call(
        "InitiateAuth",
        {"ClientId": rig.client_id, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": params},
    )
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    parameters: dict[str, Any] = started["ChallengeParameters"]
    return parameters


def _answer(rig: SignInRig, client: SrpClient, parameters: dict[str, Any]) -> dict[str, Any]:
    answers = client.answer(parameters, now=rig.clock.now())
    return rig.respond("PASSWORD_VERIFIER", None, USERNAME=parameters["USERNAME"], **answers)


def _rig(engine: Engine) -> SignInRig:
    rig = SignInRig(engine, flows=[*ALL_FLOWS, "ALLOW_USER_SRP_AUTH"])
    rig.user("alice")
    return rig


def _set_password(rig: SignInRig, password: str) -> None:
    rig.admin("AdminSetUserPassword", Username="alice", Password=password, Permanent=True)


def _once(step: Callable[..., Any], first: Callable[[], object]) -> Callable[..., Any]:
    """``step``, with ``first`` run right after its first call returns."""
    done: list[bool] = []

    def run(*args: Any, **kwargs: Any) -> Any:
        result = step(*args, **kwargs)
        if not done:
            done.append(True)
            first()
        return result

    return run


def test_an_srp_sign_in_exponentiates_without_holding_the_write_lock(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = _rig(engine)
    client = SrpClient(rig.pool_id, PASSWORD)
    with WriteProbe(engine) as probe:
        monkeypatch.setattr(
            srp, "server_challenge", probe.watched("challenge", srp.server_challenge)
        )
        monkeypatch.setattr(srp, "session_key", probe.watched("key", srp.session_key))
        tokens = tokens_of(_answer(rig, client, _start(rig, client)))
    assert tokens["AccessToken"]
    assert probe.steps == [
        ("challenge", True),
        ("key", True),
    ]  # each once: the transaction reused them


def test_a_password_set_while_the_challenge_is_made_is_the_one_to_prove(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The challenge is made again in the transaction from the new verifier: the new password
    signs in, and the one it replaced would not have."""
    rig = _rig(engine)
    reset = _once(srp.server_challenge, lambda: _set_password(rig, NEW_PASSWORD))
    monkeypatch.setattr(srp, "server_challenge", reset)
    client = SrpClient(rig.pool_id, NEW_PASSWORD)
    assert tokens_of(_answer(rig, client, _start(rig, client)))["AccessToken"]


def test_a_password_set_while_the_key_is_computed_refuses_the_old_ones_proof(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key computed before the transaction belongs to the old verifier; the transaction sees a
    new one and judges the claim against it, so the replaced password no longer signs in."""
    rig = _rig(engine)
    client = SrpClient(rig.pool_id, PASSWORD)
    parameters = _start(rig, client)
    monkeypatch.setattr(
        srp, "session_key", _once(srp.session_key, lambda: _set_password(rig, NEW_PASSWORD))
    )
    with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
        _answer(rig, client, parameters)


def test_a_user_deleted_while_the_challenge_is_made_is_unknown(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = _rig(engine)
    delete = _once(srp.server_challenge, lambda: rig.admin("AdminDeleteUser", Username="alice"))
    monkeypatch.setattr(srp, "server_challenge", delete)
    with raises_cognito("UserNotFoundException", "User does not exist."):
        _start(rig, SrpClient(rig.pool_id, PASSWORD))
