"""USER_SRP_AUTH through the engine, on a client that hides who exists (``pool.srp_sign_in``): a
real user, a user without a verifier yet and an unknown name look alike at both steps, in what is
answered and in the work done (the big exponentiations, which are most of a step's time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gmpy2
import pytest

from mfa_portal.cognito_api.srp import SrpClient
from mfa_portal.pool import srp
from mfa_portal.pool.engine import Engine
from tests.support.auth_world import ALL_FLOWS, SignInRig, tokens_of
from tests.support.cognito_errors import raises_cognito
from tests.support.pool_rig import PASSWORD

NAMES = ["alice", "legacy", "nobody"]  # a user, a user without a verifier, no user
WRONG = "Incorrect username or password."


@pytest.fixture
def rig(engine: Engine) -> SignInRig:
    made = SignInRig(engine, flows=[*ALL_FLOWS, "ALLOW_USER_SRP_AUTH"], prevent=True)
    made.user("alice")
    made.user("legacy")
    made.sql("DELETE FROM srp_verifiers WHERE user_id = ?", made.row("legacy").id)
    return made


def _start(rig: SignInRig, name: str, client: SrpClient | None = None) -> dict[str, Any]:
    client = client or SrpClient(rig.pool_id, PASSWORD)
    started = rig.engine.call(
        "InitiateAuth",
        {
            "ClientId": rig.client_id,
            "AuthFlow": "USER_SRP_AUTH",
            "AuthParameters": {"USERNAME": name, "SRP_A": client.srp_a},
        },
    )
    parameters: dict[str, Any] = started["ChallengeParameters"]
    return parameters


def _exponentiations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the big exponentiations (GMP's ``powmod_sec``, which every SRP one goes through),
    each as the size class of its exponent (the cost): at most 256 bits (b, u, x) or longer."""
    calls: list[str] = []
    real: Callable[[Any, Any, Any], Any] = gmpy2.powmod_sec

    def counted(base: Any, exponent: Any, modulus: Any) -> Any:
        calls.append("short" if int(exponent).bit_length() <= 8 * srp.SECRET_BYTES else "long")
        return real(base, exponent, modulus)

    monkeypatch.setattr(gmpy2, "powmod_sec", counted)
    return calls


@pytest.mark.parametrize("name", NAMES)
def test_repeated_starts_show_the_same_salt(rig: SignInRig, name: str) -> None:
    """A user's salt is their verifier's, the same on every start; a random one for an unknown name
    told the two apart after two starts."""
    first, second = _start(rig, name), _start(rig, name)
    assert first["SALT"] == second["SALT"]
    assert first["USER_ID_FOR_SRP"] == second["USER_ID_FOR_SRP"]
    assert first["SRP_B"] != second["SRP_B"]  # B is fresh each time, for everyone


def test_a_start_costs_the_same_exponentiations_for_everyone(
    rig: SignInRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown name's decoy once cost one more 3072-bit exponentiation: a millisecond to time."""
    calls = _exponentiations(monkeypatch)
    seen = {}
    for name in NAMES:
        client = SrpClient(rig.pool_id, PASSWORD)
        assert client.srp_a  # the client's own g^a is not the pool's work
        calls.clear()
        _start(rig, name, client)
        seen[name] = list(calls)
    assert seen["alice"] == seen["legacy"] == seen["nobody"] == ["short"]


def _answers(rig: SignInRig, name: str, password: str = "Wrong-Horse-9!") -> dict[str, str]:
    """A client's complete PASSWORD_VERIFIER answers to a fresh challenge for ``name``."""
    client = SrpClient(rig.pool_id, password)
    parameters = _start(rig, name, client)
    return {**client.answer(parameters, now=rig.clock.now()), "USERNAME": parameters["USERNAME"]}


def _claim(rig: SignInRig, answers: dict[str, str]) -> tuple[str, str]:
    """The error a claim is refused with."""
    with raises_cognito("NotAuthorizedException") as refused:
        rig.respond("PASSWORD_VERIFIER", None, **answers)
    return refused.code, refused.message


def test_a_wrong_claim_costs_the_same_exponentiations_for_everyone(
    rig: SignInRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session key was computed only for a user with a verifier: an unknown name's answer came
    back in a third of the time."""
    calls = _exponentiations(monkeypatch)
    seen = {}
    for name in NAMES:
        answers = _answers(rig, name)  # the client's work, before counting
        calls.clear()
        assert _claim(rig, answers) == ("NotAuthorizedException", WRONG)
        seen[name] = list(calls)
    assert seen["alice"] == seen["legacy"] == seen["nobody"] == ["short", "short"]


def test_a_replayed_claim_costs_no_exponentiation(
    rig: SignInRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spent block is refused before its key is computed, for a user's block and a decoy alike."""
    calls = _exponentiations(monkeypatch)
    for name in NAMES:
        answers = _answers(rig, name)
        _claim(rig, answers)
        calls.clear()
        assert _claim(rig, answers) == ("NotAuthorizedException", WRONG)
        assert calls == [], name


def test_the_right_password_still_signs_in(rig: SignInRig) -> None:
    result = rig.respond("PASSWORD_VERIFIER", None, **_answers(rig, "alice", PASSWORD))
    assert tokens_of(result)["AccessToken"]


@pytest.mark.parametrize("other", ["someone-else", "bob"])
def test_a_claim_naming_someone_else_fails_alike_and_counts_alike(
    rig: SignInRig, other: str
) -> None:
    """A user's block answered with another USERNAME said "Invalid session for the user." and was
    not counted; an unknown name's said "Incorrect username or password." and was. Now both fail
    as a wrong claim, counted, until the lockout answers both alike."""
    rig.user("bob")
    for name in ("alice", "nobody"):
        for _ in range(5):
            answers = {**_answers(rig, name, PASSWORD), "USERNAME": other}
            assert _claim(rig, answers) == ("NotAuthorizedException", WRONG), name
        answers = {**_answers(rig, name, PASSWORD), "USERNAME": other}
        assert _claim(rig, answers) == ("NotAuthorizedException", "Password attempts exceeded")


def test_a_right_claim_under_another_users_name_signs_nobody_in(rig: SignInRig) -> None:
    """Identity comes from the block: naming bob with alice's proof is refused, and the block is
    spent (the same answer with alice's name is then refused too)."""
    rig.user("bob")
    answers = _answers(rig, "alice", PASSWORD)
    assert _claim(rig, {**answers, "USERNAME": "bob"}) == ("NotAuthorizedException", WRONG)
    assert _claim(rig, answers) == ("NotAuthorizedException", WRONG)
    assert rig.row("bob").failed_attempts == 0 and rig.row("alice").failed_attempts == 1
