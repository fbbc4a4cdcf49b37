"""Recovery codes: ten per set, 80 bits, hashed, single use under races, voided by a new set."""

from __future__ import annotations

import re
from functools import partial

from mfa_portal.admin.recovery_codes import (
    RecoveryCodes,
    as_text_file,
    generate_code,
    normalise,
)
from mfa_portal.admin.store import PortalStore
from tests.support.race import run_together
from tests.support.support_desk import cheap_hasher

POOL, SUB = "us-east-1_test", "sub-1"


def _codes(store: PortalStore) -> RecoveryCodes:
    return RecoveryCodes(store, hasher=cheap_hasher())


def test_a_set_is_ten_distinct_80_bit_codes_stored_only_as_argon2id(store: PortalStore) -> None:
    codes = _codes(store).issue(POOL, SUB)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", c) for c in codes)
    stored = [r[0] for r in store.connect().execute("SELECT code_hash FROM recovery_codes")]
    assert all(h.startswith("$argon2id$") for h in stored)
    assert not any(normalise(c) in h for c in codes for h in stored)


def test_each_code_works_once_and_input_is_forgiving(store: PortalStore) -> None:
    rc = _codes(store)
    codes = rc.issue(POOL, SUB)
    sloppy = codes[3].lower().replace("-", " ")
    assert rc.consume(POOL, SUB, sloppy)
    assert not rc.consume(POOL, SUB, codes[3])
    assert rc.remaining(POOL, SUB) == 9
    assert not rc.consume(POOL, SUB, "AAAA-AAAA-AAAA-AAAA")
    assert not rc.consume(POOL, SUB, "short")
    assert not rc.consume(POOL, "someone-else", codes[4])


def test_confusable_digits_are_read_as_letters() -> None:
    assert normalise("0O1I-8B") == "OOIIBB"


def test_a_new_set_voids_the_old_one(store: PortalStore) -> None:
    rc = _codes(store)
    old = rc.issue(POOL, SUB)
    new = rc.issue(POOL, SUB)
    assert not rc.consume(POOL, SUB, old[0])
    assert rc.remaining(POOL, SUB) == 10
    assert rc.consume(POOL, SUB, new[0])


def test_void_removes_the_users_codes(store: PortalStore) -> None:
    rc = _codes(store)
    codes = rc.issue(POOL, SUB)
    assert rc.void(POOL, SUB) == 10
    assert not rc.consume(POOL, SUB, codes[0])
    assert rc.remaining(POOL, SUB) == 0


def test_two_racing_uses_of_one_code_exactly_one_wins(store: PortalStore) -> None:
    rc = _codes(store)
    code = rc.issue(POOL, SUB)[0]
    results = run_together([partial(rc.consume, POOL, SUB, code)] * 8)
    assert sorted(results) == [False] * 7 + [True]


def test_generated_codes_come_from_the_given_randomness() -> None:
    assert generate_code(lambda n: b"\x00" * n) == "AAAA-AAAA-AAAA-AAAA"


def test_text_file_lists_every_code() -> None:
    text = as_text_file("bob", ["AAAA-BBBB-CCCC-DDDD", "EEEE-FFFF-GGGG-HHHH"])
    assert "bob" in text and "AAAA-BBBB-CCCC-DDDD\nEEEE-FFFF-GGGG-HHHH" in text
