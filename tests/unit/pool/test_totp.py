"""The TOTP factor: RFC 6238 codes, the ±1-step window, the replay guard and sealed secrets."""

from __future__ import annotations

import base64
import logging
import subprocess
import uuid
from functools import partial
from pathlib import Path

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.pool import totp
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.pools import Pool, save_pool
from mfa_portal.pool.totp import Verdict
from mfa_portal.pool.users import User, load_user_by_id
from mfa_portal.storage import Connection
from tests.support.race import run_together
from tests.support.tools import require_tool

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238 Appendix B, SHA-1
# (time, 8-digit value from the RFC); a 6-digit code is the value's last six digits.
RFC_VALUES = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


def ctx_of(engine: Engine) -> Context:
    return Context(engine, engine.clock.now(), None)


def make_user(engine: Engine, name: str = "alice") -> User:
    with engine.db.transaction() as conn:
        save_pool(conn, Pool("us-east-1_Totp1", "p", {}, {"MfaConfiguration": "OPTIONAL"}, 0, 0))
        cur = conn.execute(
            "INSERT INTO users (pool_id, username, username_key, sub, status, created, modified) "
            "VALUES (?, ?, ?, ?, 'CONFIRMED', 0, 0) RETURNING id",
            ("us-east-1_Totp1", name, name, str(uuid.uuid4())),
        )
        return load_user_by_id(conn, int(cur.fetchone()[0]))


def enrol(engine: Engine, user: User) -> str:
    """Associate and verify a token for ``user`` at the current time; return its secret."""
    with engine.db.transaction() as conn:
        secret = totp.start_association(ctx_of(engine), conn, user.id)
    code = totp.code_at(secret, totp.step_at(engine.clock.now()))
    with engine.db.transaction() as conn:
        assert (
            totp.verify_association(ctx_of(engine), conn, user, code, "phone") is Verdict.ACCEPTED
        )
    return secret


def sign_in(engine: Engine, user: User, code: str) -> bool:
    with engine.db.transaction() as conn:
        return totp.verify_signin_code(ctx_of(engine), conn, user, code)


def current_code(engine: Engine, secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, totp.step_at(engine.clock.now()) + offset)


# --- codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("when", "value"), RFC_VALUES)
def test_codes_match_rfc_6238_vectors(when: int, value: str) -> None:
    assert totp.code_at(RFC_SECRET, totp.step_at(when)) == value[-6:]


def test_codes_match_an_independent_authenticator(engine: Engine, clock: FakeClock) -> None:
    oathtool = require_tool("oathtool")
    secret = totp.new_secret(ctx_of(engine))
    shown = subprocess.run(
        [oathtool, "--totp", "--base32", secret, "--now", f"@{int(clock.now())}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert shown == current_code(engine, secret)


def test_new_secret_is_160_random_bits_in_base32(tmp_path: Path, clock: FakeClock) -> None:
    class CountingRandom:
        def __init__(self) -> None:
            self.calls: list[int] = []

        def token_bytes(self, n: int) -> bytes:
            self.calls.append(n)
            return bytes(range(n))

    rng = CountingRandom()
    eng = Engine(
        tmp_path / "p", clock=clock, rng=rng, hasher=PasswordHasher(memory_kib=1024, time_cost=1)
    )
    try:
        secret = totp.new_secret(ctx_of(eng))
    finally:
        eng.db.close()
    assert rng.calls == [20]  # drawn from the injected CSPRNG, nothing else
    assert len(secret) == 32 and secret == base64.b32encode(bytes(range(20))).decode()


def test_secrets_differ_between_associations(engine: Engine) -> None:
    secrets = {totp.new_secret(ctx_of(engine)) for _ in range(20)}
    assert len(secrets) == 20


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 456", "١٢٣٤٥٦", ""])
def test_malformed_codes_never_match(code: str) -> None:
    assert totp.matching_step(RFC_SECRET, code, 59.0) is None


# --- window -----------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_codes_one_step_either_side_are_accepted(
    engine: Engine, clock: FakeClock, offset: int
) -> None:
    user = make_user(engine)
    secret = enrol(engine, user)
    clock.advance(totp.PERIOD * 5)  # leave the enrolment step behind
    assert sign_in(engine, user, current_code(engine, secret, offset)) is True


@pytest.mark.parametrize("offset", [-2, 2, -3, 10])
def test_codes_two_or_more_steps_away_are_rejected(
    engine: Engine, clock: FakeClock, offset: int
) -> None:
    user = make_user(engine)
    secret = enrol(engine, user)
    clock.advance(totp.PERIOD * 5)
    assert sign_in(engine, user, current_code(engine, secret, offset)) is False


def test_a_code_expires_after_the_next_step(engine: Engine, clock: FakeClock) -> None:
    user = make_user(engine)
    secret = enrol(engine, user)
    clock.advance(300)
    code = current_code(engine, secret)
    clock.advance(totp.PERIOD)  # now one step late: still accepted once
    assert totp.matching_step(secret, code, clock.now()) is not None
    clock.advance(totp.PERIOD)  # two steps late
    assert sign_in(engine, user, code) is False


# --- replay -----------------------------------------------------------------------------------


def test_a_code_signs_in_only_once(
    engine: Engine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(engine)
    secret = enrol(engine, user)
    clock.advance(300)
    code = current_code(engine, secret)
    caplog.set_level(logging.INFO, logger="mfa_portal.pool.totp")
    assert sign_in(engine, user, code) is True
    assert sign_in(engine, user, code) is False
    clock.advance(totp.PERIOD)  # still inside the window, still refused
    assert sign_in(engine, user, code) is False
    reasons = [r.getMessage() for r in caplog.records]
    assert any("replayed" in m for m in reasons)
    assert not any(code in m for m in reasons)


def test_an_earlier_step_is_refused_after_a_later_one(engine: Engine, clock: FakeClock) -> None:
    user = make_user(engine)
    secret = enrol(engine, user)
    clock.advance(300)
    assert sign_in(engine, user, current_code(engine, secret, +1)) is True
    with engine.db.transaction() as conn:
        verdict = totp.check_signin_code(ctx_of(engine), conn, user, current_code(engine, secret))
    assert verdict is Verdict.REPLAYED


def test_wrong_and_replayed_are_told_apart_in_the_log(
    engine: Engine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(engine)
    secret = enrol(engine, user)
    clock.advance(300)
    good = current_code(engine, secret)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    caplog.set_level(logging.INFO, logger="mfa_portal.pool.totp")
    with engine.db.transaction() as conn:
        assert totp.check_signin_code(ctx_of(engine), conn, user, wrong) is Verdict.WRONG
    messages = [r.getMessage() for r in caplog.records]
    assert any("wrong code" in m and user.sub in m for m in messages)
    assert not any(wrong in m or good in m for m in messages)


def test_the_enrolment_code_cannot_sign_in(engine: Engine, clock: FakeClock) -> None:
    user = make_user(engine)
    with engine.db.transaction() as conn:
        secret = totp.start_association(ctx_of(engine), conn, user.id)
    code = current_code(engine, secret)
    with engine.db.transaction() as conn:
        assert totp.verify_association(ctx_of(engine), conn, user, code, None) is Verdict.ACCEPTED
    assert sign_in(engine, user, code) is False
    clock.advance(totp.PERIOD)
    assert sign_in(engine, user, code) is False
    assert sign_in(engine, user, current_code(engine, secret)) is True


def test_a_code_used_at_sign_in_cannot_verify_a_new_association(
    engine: Engine, clock: FakeClock
) -> None:
    """The guard is per user, shared by the old and the new secret."""
    user = make_user(engine)
    secret = enrol(engine, user)
    clock.advance(300)
    assert sign_in(engine, user, current_code(engine, secret)) is True
    with engine.db.transaction() as conn:
        new = totp.start_association(ctx_of(engine), conn, user.id)
    with engine.db.transaction() as conn:
        verdict = totp.verify_association(
            ctx_of(engine), conn, user, current_code(engine, new), None
        )
    assert verdict is Verdict.REPLAYED
    assert totp.association(engine.db.connect(), user.id).pending


def test_two_racing_sign_ins_with_one_code_exactly_one_wins(
    engine: Engine, clock: FakeClock
) -> None:
    user = make_user(engine)
    secret = enrol(engine, user)
    clock.advance(300)
    code = current_code(engine, secret)
    attempt = partial(sign_in, engine, user, code)
    results = run_together([attempt, attempt], after_each=engine.db.close)
    assert sorted(results) == [False, True]


def test_consume_step_is_a_compare_and_set(engine: Engine) -> None:
    user = make_user(engine)
    enrol(engine, user)
    conn = engine.db.connect()
    step = totp.step_at(engine.clock.now()) + 10
    assert totp.consume_step(conn, user.id, step) is True
    assert totp.consume_step(conn, user.id, step) is False
    assert totp.consume_step(conn, user.id, step - 1) is False
    assert totp.consume_step(conn, user.id, step + 1) is True


# --- storage ----------------------------------------------------------------------------------


def test_the_seed_is_never_stored_in_clear(engine: Engine) -> None:
    user = make_user(engine)
    with engine.db.transaction() as conn:
        pending = totp.start_association(ctx_of(engine), conn, user.id)
    enrol(engine, user)  # a second association, verified
    row = (
        engine.db.connect()
        .execute("SELECT * FROM software_tokens WHERE user_id = ?", (user.id,))
        .fetchone()
    )
    stored = " ".join(str(v) for v in tuple(row))
    engine.db.close()
    files = b"".join(p.read_bytes() for p in engine.data_dir.glob("pool.sqlite3*"))
    for secret in (pending, *_secrets_in(engine, user)):
        for form in (secret, secret.lower(), base64.b32decode(secret).hex()):
            assert form not in stored
            assert form.encode() not in files


def _secrets_in(engine: Engine, user: User) -> list[str]:
    row = (
        engine.db.connect()
        .execute("SELECT secret FROM software_tokens WHERE user_id = ?", (user.id,))
        .fetchone()
    )
    return [engine.seal.open(row["secret"], context=f"totp:{user.id}")]


def test_a_sealed_seed_opens_only_for_its_own_user(engine: Engine) -> None:
    user, other = make_user(engine, "alice"), make_user(engine, "bob")
    enrol(engine, user)
    sealed = (
        engine.db.connect()
        .execute("SELECT secret FROM software_tokens WHERE user_id = ?", (user.id,))
        .fetchone()["secret"]
    )
    with pytest.raises(Exception):  # noqa: B017 - AESGCM's InvalidTag
        engine.seal.open(sealed, context=f"totp:{other.id}")


def test_lifecycle_queries(engine: Engine) -> None:
    user = make_user(engine)
    conn = engine.db.connect()
    assert not totp.has_verified_token(conn, user.id)
    assert not totp.association(conn, user.id).pending
    assert totp.friendly_name(conn, user.id) is None
    with engine.db.transaction() as tx:
        totp.start_association(ctx_of(engine), tx, user.id)
    assert totp.association(conn, user.id).pending
    assert not totp.has_verified_token(conn, user.id)
    enrol(engine, user)
    assert totp.has_verified_token(conn, user.id)
    assert totp.association(conn, user.id) == (True, False)  # verified, nothing pending
    assert totp.friendly_name(conn, user.id) == "phone"


def test_a_second_association_replaces_the_pending_secret(engine: Engine) -> None:
    user = make_user(engine)
    with engine.db.transaction() as conn:
        first = totp.start_association(ctx_of(engine), conn, user.id)
        second = totp.start_association(ctx_of(engine), conn, user.id)
    assert first != second
    with engine.db.transaction() as conn:
        verdict = totp.verify_association(
            ctx_of(engine), conn, user, current_code(engine, first), None
        )
        assert verdict is Verdict.WRONG
        verdict = totp.verify_association(
            ctx_of(engine), conn, user, current_code(engine, second), None
        )
        assert verdict is Verdict.ACCEPTED


def test_verifying_a_new_secret_replaces_the_old_one(engine: Engine, clock: FakeClock) -> None:
    user = make_user(engine)
    old = enrol(engine, user)
    clock.advance(300)
    with engine.db.transaction() as conn:
        new = totp.start_association(ctx_of(engine), conn, user.id)
    assert sign_in(engine, user, current_code(engine, old)) is True  # old still live while pending
    clock.advance(totp.PERIOD)
    with engine.db.transaction() as conn:
        assert (
            totp.verify_association(ctx_of(engine), conn, user, current_code(engine, new), "tablet")
            is Verdict.ACCEPTED
        )
    clock.advance(totp.PERIOD)
    assert sign_in(engine, user, current_code(engine, old)) is False
    assert sign_in(engine, user, current_code(engine, new)) is True
    assert totp.friendly_name(engine.db.connect(), user.id) == "tablet"


def test_verify_without_association_is_not_responsible(engine: Engine) -> None:
    user = make_user(engine)
    with engine.db.transaction() as conn:
        assert (
            totp.verify_association(ctx_of(engine), conn, user, "123456", None) is Verdict.NO_TOKEN
        )
        assert totp.check_signin_code(ctx_of(engine), conn, user, "123456") is Verdict.NO_TOKEN


def test_delete_forgets_both_secrets_but_keeps_the_replay_guard(engine: Engine) -> None:
    user = make_user(engine)
    enrol(engine, user)
    with engine.db.transaction() as conn:
        totp.start_association(ctx_of(engine), conn, user.id)
    conn = engine.db.connect()
    before = _last_step(conn, user.id)
    assert before == totp.step_at(engine.clock.now())
    with engine.db.transaction() as tx:
        assert totp.delete_token(tx, user.id) is True
        assert totp.delete_token(tx, user.id) is False
    assert not totp.has_verified_token(conn, user.id)
    assert not totp.association(conn, user.id).pending
    assert _last_step(conn, user.id) == before


def test_delete_without_any_token_reports_nothing_deleted(engine: Engine) -> None:
    user = make_user(engine)
    with engine.db.transaction() as conn:
        assert totp.delete_token(conn, user.id) is False


def _last_step(conn: Connection, user_id: int) -> int:
    row = conn.execute(
        "SELECT last_step FROM software_tokens WHERE user_id = ?", (user_id,)
    ).fetchone()
    return int(row["last_step"])


@pytest.mark.parametrize(
    ("user_ip", "expected"),
    [
        ("203.0.113.77", {"ip": "203.0.113.77", "via": "198.51.100.9"}),
        (None, {"ip": "198.51.100.9"}),
    ],
)
def test_code_failures_log_the_sender_beside_the_address_the_caller_claims(
    engine: Engine,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    user_ip: str | None,
    expected: dict[str, str],
) -> None:
    user = make_user(engine)
    secret = enrol(engine, user)
    clock.advance(300)
    good = current_code(engine, secret)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    ctx = Context(engine, engine.clock.now(), None, "198.51.100.9", user_ip)
    caplog.set_level(logging.INFO, logger="mfa_portal.security")
    with engine.db.transaction() as conn:
        assert totp.check_signin_code(ctx, conn, user, good) is Verdict.ACCEPTED
        assert totp.check_signin_code(ctx, conn, user, good) is Verdict.REPLAYED
        assert totp.check_signin_code(ctx, conn, user, wrong) is Verdict.WRONG
    with engine.db.transaction() as conn:
        totp.start_association(ctx, conn, user.id)
        assert totp.verify_association(ctx, conn, user, wrong, None) is Verdict.WRONG
    logged = {
        (r.security_event, r.security_fields["purpose"]): r.security_fields  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "security_event", "").startswith("totp.")
    }
    assert set(logged) == {
        ("totp.replayed", "sign-in"),
        ("totp.mismatch", "sign-in"),
        ("totp.mismatch", "enrolment"),
    }
    for fields in logged.values():
        assert {k: v for k, v in fields.items() if k in ("ip", "via")} == expected
