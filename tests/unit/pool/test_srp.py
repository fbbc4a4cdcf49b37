"""The server side of Cognito's SRP, checked against two independent client implementations that
real applications use (pycognito and warrant-lite): what they sign, the pool accepts; nothing else."""

from __future__ import annotations

import base64
import datetime
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfa_portal.cognito_api.srp import N, modpow, pad_hex
from mfa_portal.pool import srp

POOL_ID = "eu-west-1_AbCdEf123"
CLIENT_ID = "client1234567890abcdefghij"


def _clients() -> list[Any]:
    from pycognito.aws_srp import AWSSRP
    from warrant_lite import WarrantLite

    return [AWSSRP, WarrantLite]


def _challenge(user_id: str, password: str) -> tuple[srp.Verifier, srp.ServerChallenge, bytes]:
    verifier = srp.make_verifier(POOL_ID, user_id, password, os.urandom(srp.SALT_BYTES))
    return verifier, srp.server_challenge(verifier, os.urandom(srp.SECRET_BYTES)), os.urandom(64)


def _client_claim(
    client_class: Any,
    user_id: str,
    password: str,
    verifier: srp.Verifier,
    challenge: Any,
    block: bytes,
) -> tuple[int, dict[str, str]]:
    """What the SDK sends: its A, and its PASSWORD_VERIFIER responses to our parameters."""
    client = client_class(user_id, password, POOL_ID, CLIENT_ID, client=object())
    params = {
        "USER_ID_FOR_SRP": user_id,
        "USERNAME": user_id,
        "SALT": verifier.salt,
        "SRP_B": format(challenge.big_b, "x"),
        "SECRET_BLOCK": base64.b64encode(block).decode(),
    }
    if client_class.__name__ == "AWSSRP":
        responses = client.process_challenge(params, {"USERNAME": user_id})
    else:
        responses = client.process_challenge(params)
    return int(client.large_a_value), responses


def _accepts(
    user_id: str, verifier: srp.Verifier, challenge: srp.ServerChallenge, a: int, r: dict[str, str]
) -> bool:
    key = srp.session_key(a, challenge, verifier)
    block = base64.b64decode(r["PASSWORD_CLAIM_SECRET_BLOCK"])
    return srp.claim_matches(
        key, POOL_ID, user_id, block, r["TIMESTAMP"], r["PASSWORD_CLAIM_SIGNATURE"]
    )


@pytest.mark.parametrize("client_index", [0, 1], ids=["pycognito", "warrant-lite"])
def test_the_sdks_claim_is_accepted_for_the_right_password(client_index: int) -> None:
    client_class = _clients()[client_index]
    verifier, challenge, block = _challenge("alice", "Correct-Horse-9!")
    a, responses = _client_claim(
        client_class, "alice", "Correct-Horse-9!", verifier, challenge, block
    )
    assert _accepts("alice", verifier, challenge, a, responses)


@pytest.mark.parametrize("client_index", [0, 1], ids=["pycognito", "warrant-lite"])
def test_a_wrong_password_is_refused(client_index: int) -> None:
    client_class = _clients()[client_index]
    verifier, challenge, block = _challenge("alice", "Correct-Horse-9!")
    a, responses = _client_claim(
        client_class, "alice", "Correct-Horse-8!", verifier, challenge, block
    )
    assert not _accepts("alice", verifier, challenge, a, responses)


def test_the_claim_is_bound_to_user_timestamp_and_secret_block() -> None:
    client_class = _clients()[0]
    verifier, challenge, block = _challenge("alice", "Correct-Horse-9!")
    a, responses = _client_claim(
        client_class, "alice", "Correct-Horse-9!", verifier, challenge, block
    )
    key = srp.session_key(a, challenge, verifier)
    sig, stamp = responses["PASSWORD_CLAIM_SIGNATURE"], responses["TIMESTAMP"]
    assert srp.claim_matches(key, POOL_ID, "alice", block, stamp, sig)
    assert not srp.claim_matches(key, POOL_ID, "mallory", block, stamp, sig)
    assert not srp.claim_matches(key, POOL_ID, "alice", block + b"x", stamp, sig)
    assert not srp.claim_matches(key, POOL_ID, "alice", block, stamp + " ", sig)
    assert not srp.claim_matches(key, "eu-west-1_Other", "alice", block, stamp, sig)
    assert not srp.claim_matches(key, POOL_ID, "alice", block, stamp, "not base64!")


def test_another_challenge_for_the_same_user_does_not_accept_an_old_claim() -> None:
    client_class = _clients()[0]
    verifier, first, block = _challenge("alice", "Correct-Horse-9!")
    a, responses = _client_claim(client_class, "alice", "Correct-Horse-9!", verifier, first, block)
    second = srp.server_challenge(verifier, os.urandom(srp.SECRET_BYTES))
    assert not _accepts("alice", verifier, second, a, responses)


@pytest.mark.parametrize("value", ["0", format(N, "x"), format(2 * N, "x"), "xyz", ""])
def test_a_public_value_that_would_fix_the_key_is_refused(value: str) -> None:
    with pytest.raises(srp.BadClientValue):
        srp.parse_a(value)


@pytest.mark.parametrize(
    "value", ["-ab", "0xab", " ab ", "ab\n", "a_b", "+ab", "٣", "ab" * 386, "1" + "0" * 770]
)
def test_only_hex_digits_of_the_groups_size_are_an_a(value: str) -> None:
    """``int(x, 16)`` alone would take a sign, a ``0x``, blanks, underscores and other scripts'
    digits, and any length (which once ended in a 500 for a real user only)."""
    with pytest.raises(srp.BadClientValue):
        srp.parse_a(value)


@pytest.mark.parametrize("value", ["ab", "AB", format(N - 1, "x"), "00" + format(N - 1, "x")])
def test_an_a_as_the_sdks_send_it_is_taken(value: str) -> None:
    """Lower or upper case, up to the group's size, and with the one "00" of Cognito's padded form."""
    assert srp.parse_a(value) == int(value, 16)


@pytest.mark.parametrize(
    ("value", "padded"),
    [(0xABC, "0abc"), (0x8A, "008a"), (0x7F, "7f"), (0x1, "01"), (0xFF01, "00ff01")],
)
def test_numbers_are_hashed_in_cognitos_padded_form(value: int, padded: str) -> None:
    assert pad_hex(value) == padded


def test_the_verifier_survives_storage() -> None:
    verifier = srp.make_verifier(POOL_ID, "alice", "pw", b"\x80" + bytes(15))
    assert verifier.salt.startswith("0080")  # high bit set: a leading 00, as the SDKs hash it
    assert srp.Verifier.load(verifier.dump()) == verifier


@settings(max_examples=15, deadline=None)
@given(
    user_id=st.text(min_size=1, max_size=20).filter(lambda s: "\x00" not in s),
    password=st.text(min_size=1, max_size=40),
)
def test_any_user_and_password_round_trip_with_an_sdk(user_id: str, password: str) -> None:
    client_class = _clients()[0]
    verifier, challenge, block = _challenge(user_id, password)
    a, responses = _client_claim(client_class, user_id, password, verifier, challenge, block)
    assert _accepts(user_id, verifier, challenge, a, responses)


def test_the_portals_own_client_is_accepted_by_the_pool() -> None:
    from mfa_portal.cognito_api.srp import SrpClient

    verifier, challenge, block = _challenge("alice", "Correct-Horse-9!")
    client = SrpClient(POOL_ID, "Correct-Horse-9!")
    params = {
        "USER_ID_FOR_SRP": "alice",
        "SALT": verifier.salt,
        "SRP_B": format(challenge.big_b, "x"),
        "SECRET_BLOCK": base64.b64encode(block).decode(),
    }
    answers = client.answer(params, now=1_800_000_000.0)
    assert _accepts("alice", verifier, challenge, client.big_a, answers)
    wrong = SrpClient(POOL_ID, "Correct-Horse-8!")
    assert not _accepts("alice", verifier, challenge, wrong.big_a, wrong.answer(params, 1.8e9))


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (1_788_591_689.0, "Sat Sep 5 07:01:29 UTC 2026"),
        (1_800_000_000.0, "Fri Jan 15 08:00:00 UTC 2027"),
    ],
)
def test_the_timestamp_is_cognitos_english_form_with_an_unpadded_day(
    when: float, text: str
) -> None:
    from pycognito.aws_srp import AWSSRP

    from mfa_portal.cognito_api.srp import timestamp

    assert timestamp(when) == text
    moment = datetime.datetime.fromtimestamp(when, datetime.UTC)
    assert AWSSRP.get_cognito_formatted_timestamp(moment) == text


@given(
    base=st.integers(min_value=-(N**2), max_value=N**2),
    exponent=st.integers(min_value=1, max_value=2**3100),
)
@settings(max_examples=60, deadline=None)
def test_the_constant_time_exponentiation_agrees_with_pow(base: int, exponent: int) -> None:
    """GMP's ``powmod_sec`` gives Python's answer for any base (negative, or past N, as the client's
    ``B - k·g^x`` and the pool's ``A·v^u`` are) and any positive exponent."""
    assert modpow(base, exponent) == pow(base, exponent, N)


@pytest.mark.parametrize("exponent", [0, -1])
def test_an_exponent_that_is_not_positive_is_refused(exponent: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        modpow(7, exponent)
