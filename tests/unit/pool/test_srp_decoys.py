"""The decoy an unknown name gets in USER_SRP_AUTH (``pool.srp_decoys``): the same on every start,
shaped like a user's, different per name and pool, and unknowable without the pool's key."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from mfa_portal.cognito_api.srp import G, N, modpow, pad_hex
from mfa_portal.pool import srp, srp_decoys
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import Pool
from mfa_portal.pool.secretbox import SecretBox

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _pool(pool_id: str = "eu-west-1_AbCdEf123", **settings: Any) -> Pool:
    return Pool(pool_id, "p", settings, {}, 0.0, 0.0)


@pytest.fixture
def ctx(engine: Engine) -> Context:
    return Context(engine, engine.clock.now(), None)


def test_a_name_gets_the_same_salt_and_verifier_every_time(ctx: Context) -> None:
    pool = _pool()
    assert srp_decoys.verifier(ctx, pool, "ghost") == srp_decoys.verifier(ctx, pool, "ghost")


def test_names_and_pools_get_different_decoys(ctx: Context) -> None:
    salts = {
        srp_decoys.verifier(ctx, _pool(), "ghost").salt,
        srp_decoys.verifier(ctx, _pool(), "ghost2").salt,
        srp_decoys.verifier(ctx, _pool("eu-west-1_Other1234"), "ghost").salt,
    }
    assert len(salts) == 3


def test_the_decoy_needs_the_pools_key(ctx: Context) -> None:
    """Derived with the seed key: nobody can compute a name's decoy and compare it with a salt."""
    before = srp_decoys.verifier(ctx, _pool(), "ghost")
    ctx.engine.seal = SecretBox(os.urandom(32))
    after = srp_decoys.verifier(ctx, _pool(), "ghost")
    assert before.salt != after.salt and before.v != after.v


def test_the_decoy_is_shaped_like_a_users_verifier(ctx: Context) -> None:
    """A salt of 16 bytes in Cognito's padded hex, and v a square mod N like every g^x (g = 2 is
    one), so no test on v or B tells the two apart."""
    decoy = srp_decoys.verifier(ctx, _pool(), "ghost")
    real = srp.make_verifier("eu-west-1_AbCdEf123", "alice", "pw", os.urandom(srp.SALT_BYTES))
    for verifier in (decoy, real):
        assert verifier.salt == pad_hex(int(verifier.salt, 16))
        assert int(verifier.salt, 16) < 2 ** (8 * srp.SALT_BYTES)
        assert 1 < verifier.v < N
        assert modpow(verifier.v, (N - 1) // 2) == 1
    assert modpow(G, (N - 1) // 2) == 1


@pytest.mark.parametrize(
    ("settings", "first", "second", "shared"),
    [
        ({}, "Ghost", "ghost", False),
        ({"UsernameConfiguration": {"CaseSensitive": False}}, "Ghost", "ghost", True),
        ({"AliasAttributes": ["email"]}, "Ghost@example.com", "ghost@example.com", True),
        ({"UsernameAttributes": ["email"]}, "Ghost@example.com", "ghost@example.com", True),
        ({"AliasAttributes": ["preferred_username"]}, "Ghost", "ghost", False),
    ],
    ids=["case-sensitive", "case-insensitive", "email-alias", "email-username", "preferred"],
)
def test_names_the_lookup_takes_as_one_share_a_decoy(
    ctx: Context, settings: dict[str, Any], first: str, second: str, shared: bool
) -> None:
    """A user answers every spelling the lookup matches with one salt; so does a decoy, and only
    those spellings (two that reach different users must not look like one)."""
    pool = _pool(**settings)
    same = srp_decoys.verifier(ctx, pool, first) == srp_decoys.verifier(ctx, pool, second)
    assert same is shared


@pytest.mark.parametrize(
    ("settings", "name"),
    [
        ({"UsernameAttributes": ["email"]}, "ghost@example.com"),
        ({"UsernameAttributes": ["email"]}, "ghost"),
        ({"UsernameAttributes": ["phone_number"]}, "+15550100"),
        ({"AliasAttributes": ["email"]}, "ghost@example.com"),
        ({"AliasAttributes": ["phone_number"]}, "+15550100"),
    ],
)
def test_a_name_that_cannot_be_a_username_gets_a_generated_looking_one(
    ctx: Context, settings: dict[str, Any], name: str
) -> None:
    """Where a user would get back the UUID the pool generated, or a username that is no email or
    phone number, an unknown name does not come back as typed."""
    pool = _pool(**settings)
    shown = srp_decoys.user_id_for_srp(ctx, pool, name)
    assert UUID.fullmatch(shown)
    assert shown == srp_decoys.user_id_for_srp(ctx, pool, name)
    assert shown != srp_decoys.user_id_for_srp(ctx, pool, name + "x")


@pytest.mark.parametrize(
    ("settings", "name", "shown"),
    [
        ({}, "Ghost", "Ghost"),
        ({"AliasAttributes": ["email"]}, "ghost", "ghost"),
        ({"UsernameAttributes": ["email"]}, "0b7c3c1e-2f4a-4d8e-9a6b-1c2d3e4f5a6b", None),
        (
            {"UsernameAttributes": ["email"], "UsernameConfiguration": {"CaseSensitive": False}},
            "0B7C3C1E-2F4A-4D8E-9A6B-1C2D3E4F5A6B",
            "0b7c3c1e-2f4a-4d8e-9a6b-1c2d3e4f5a6b",
        ),
    ],
)
def test_a_name_that_could_be_a_username_comes_back(
    ctx: Context, settings: dict[str, Any], name: str, shown: str | None
) -> None:
    """A user found by their username (or sub) gets it back, so an unknown one does too."""
    assert srp_decoys.user_id_for_srp(ctx, _pool(**settings), name) == (shown or name)
