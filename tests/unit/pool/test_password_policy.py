"""The pool's password policy: Cognito's rules and messages, and generated temporary passwords."""

from __future__ import annotations

import hashlib
import re
import string
from typing import Any

import pytest

from mfa_portal.cognito_api import errors
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.password_policy import (
    SYMBOLS,
    enforce_policy,
    generate_temporary_password,
    temporary_password_seconds,
)
from mfa_portal.pool.pools import Pool
from tests.support.cognito_errors import raises_cognito

PREFIX = "Password did not conform with policy: "


def pool_with(policy: dict[str, Any] | None) -> Pool:
    settings: dict[str, Any] = {} if policy is None else {"Policies": {"PasswordPolicy": policy}}
    return Pool("us-east-1_Policy01", "p", settings, {"MfaConfiguration": "OFF"}, 0.0, 0.0)


def refusal(pool: Pool, password: str) -> errors.CognitoError:
    with pytest.raises(errors.CognitoError) as info:
        enforce_policy(pool, password)
    assert len(password) < 4 or password not in info.value.message
    return info.value


DEFAULT = pool_with(None)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Ab1!xyz", "Password not long enough"),
        ("ab1", "Password not long enough"),  # the length rule is reported first
        ("abcdefg1!", "Password must have uppercase characters"),
        ("ABCDEFG1!", "Password must have lowercase characters"),
        ("Abcdefgh!", "Password must have numeric characters"),
        ("Abcdefgh1", "Password must have symbol characters"),
        ("abcdefgh", "Password must have uppercase characters"),  # first missing class wins
        ("ÀBCDÉFG1!", "Password must have lowercase characters"),  # only basic Latin counts
    ],
)
def test_default_policy_reports_the_first_broken_rule(password: str, rule: str) -> None:
    error = refusal(DEFAULT, password)
    assert (error.code, error.message) == ("InvalidPasswordException", PREFIX + rule)


@pytest.mark.parametrize("password", ["Abcdefg1!", "Correct-Horse-9!", "Aa1 bcdefg", "Ünïcode-Aa1"])
def test_default_policy_accepts_conforming_passwords(password: str) -> None:
    enforce_policy(DEFAULT, password)


@pytest.mark.parametrize("symbol", sorted(set(SYMBOLS) - {" "}))
def test_each_cognito_symbol_counts(symbol: str) -> None:
    enforce_policy(DEFAULT, f"Abcdef1{symbol}")


def test_characters_outside_the_symbol_set_do_not_count_as_symbols() -> None:
    error = refusal(DEFAULT, "Abcdefg1§")
    assert error.message == PREFIX + "Password must have symbol characters"


def test_inner_space_counts_as_a_symbol() -> None:
    enforce_policy(DEFAULT, "Abc def1")


@pytest.mark.parametrize("password", [" Abcdef1!", "Abcdef1! ", "Abc\tdef1!"])
def test_leading_trailing_or_non_space_whitespace_is_a_parameter_error(password: str) -> None:
    error = refusal(DEFAULT, password)
    assert error.code == "InvalidParameterException"
    assert "'password'" in error.message and "regular expression" in error.message


def test_field_name_is_used_in_parameter_errors() -> None:
    with raises_cognito("InvalidParameterException", re.compile("'proposedPassword'")):
        enforce_policy(DEFAULT, " Abcdef1!", field="proposedPassword")


def test_longer_than_256_characters_is_refused() -> None:
    enforce_policy(DEFAULT, "Aa1!" + "x" * 252)
    error = refusal(DEFAULT, "Aa1!" + "x" * 253)
    assert error.code == "InvalidParameterException"
    assert "less than or equal to 256" in error.message


def test_explicit_policy_omitting_rules_requires_only_what_it_says() -> None:
    lax = pool_with({"MinimumLength": 6})
    enforce_policy(lax, "aaaaaa")
    assert refusal(lax, "aaaaa").message == PREFIX + "Password not long enough"


def test_explicit_policy_rules_apply_individually() -> None:
    pool = pool_with({"MinimumLength": 10, "RequireNumbers": True})
    assert refusal(pool, "abcdefgh1").message == PREFIX + "Password not long enough"
    assert refusal(pool, "abcdefghij").message == PREFIX + "Password must have numeric characters"
    enforce_policy(pool, "abcdefghi12")


def test_temporary_password_validity_defaults_to_seven_days() -> None:
    assert temporary_password_seconds(DEFAULT) == 7 * 86400
    assert temporary_password_seconds(pool_with({"TemporaryPasswordValidityDays": 2})) == 2 * 86400


class CountingRandom:
    """A deterministic byte stream (SHA-256 in counter mode) that records how much was drawn."""

    def __init__(self, seed: bytes) -> None:
        self.seed, self.counter, self.drawn = seed, 0, 0

    def token_bytes(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            self.counter += 1
            out += hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
        self.drawn += n
        return out[:n]


def ctx_with(engine: Engine, rng: Any) -> Context:
    engine.rng = rng
    return Context(engine, engine.clock.now(), None)


STRICT = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}


@pytest.mark.parametrize("minimum", [6, 8, 12, 20, 99])
def test_generated_passwords_satisfy_the_policy(engine: Engine, minimum: int) -> None:
    pool = pool_with({**STRICT, "MinimumLength": minimum})
    ctx = ctx_with(engine, CountingRandom(b"seed"))
    for _ in range(50):
        password = generate_temporary_password(ctx, pool)
        enforce_policy(pool, password)
        assert len(password) == max(minimum, 12)
        assert password == password.strip() and " " not in password


def test_generated_passwords_come_from_the_injected_random_source(engine: Engine) -> None:
    first = CountingRandom(b"same")
    one = generate_temporary_password(ctx_with(engine, first), DEFAULT)
    two = generate_temporary_password(ctx_with(engine, CountingRandom(b"same")), DEFAULT)
    other = generate_temporary_password(ctx_with(engine, CountingRandom(b"other")), DEFAULT)
    assert one == two != other
    assert first.drawn > 0


def test_generated_passwords_vary_and_use_every_class(engine: Engine) -> None:
    ctx = Context(engine, engine.clock.now(), None)  # the engine's real CSPRNG
    seen = {generate_temporary_password(ctx, DEFAULT) for _ in range(200)}
    assert len(seen) == 200
    joined = "".join(seen)
    for alphabet in (string.ascii_uppercase, string.ascii_lowercase, string.digits):
        assert set(alphabet) <= set(joined)
