"""The lockout, once, over every entry point that checks a password or a code (django-otp's
ThrottlingTestMixin): each entry point is a provider of one ``valid()`` and one ``invalid()`` attempt,
and the same behaviour is asserted for all of them (spec §4.7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool import auth_sessions, email_otp, totp
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from tests.support.auth_world import SignInRig, tokens_of
from tests.support.cognito_errors import raises_cognito
from tests.support.pool_rig import PASSWORD
from tests.support.race import run_together

EXCEEDED = ("NotAuthorizedException", "Password attempts exceeded")
WRONG_PASSWORD = ("NotAuthorizedException", "Incorrect username or password.")
WRONG_CODE = ("CodeMismatchException", "Invalid code or auth state for the user.")
WRONG_ENROLMENT = (
    "EnableSoftwareTokenMFAException",
    "Code mismatch and fail enable Software Token MFA",
)


class EntryPoint:
    """One place a user proves something; ``refusal`` is its answer to a wrong attempt."""

    refusal: tuple[str, str]
    resets: bool = True  # does a successful attempt forget earlier failures?

    def __init__(self, engine: Engine) -> None:
        self.rig = SignInRig(engine, mfa="OPTIONAL", email_mfa=True)
        self.rig.user("alice", email="alice@example.com", verified=True)

    def valid(self) -> Any:
        raise NotImplementedError

    def invalid(self) -> Any:
        raise NotImplementedError

    def ctx(self) -> Context:
        return Context(self.rig.engine, self.rig.clock.now(), None)

    def session(self, challenge: str, data: dict[str, Any] | None = None) -> str:
        """A challenge session as the password step opens it (also while the user is locked)."""
        user_id = self.rig.row("alice").id
        with self.rig.engine.db.transaction() as conn:
            return auth_sessions.create_session(
                self.ctx(),
                conn,
                pool_id=self.rig.pool_id,
                client_id=self.rig.client_id,
                user_id=user_id,
                stage=auth_sessions.SessionStage.PASSWORD_OK,
                challenge=challenge,
                ttl_seconds=3600,
                data=data,
            )


class PasswordStep(EntryPoint):
    refusal = WRONG_PASSWORD

    def valid(self) -> Any:
        return tokens_of(self.rig.login("alice"))

    def invalid(self) -> Any:
        return self.rig.login("alice", "Wrong-pass-1")


class TotpChallenge(EntryPoint):
    refusal = WRONG_CODE

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.secret = self.rig.enrol_totp("alice")
        self.used_step = -1

    def answer(self, code: str) -> Any:
        session = self.session("SOFTWARE_TOKEN_MFA")
        return self.rig.respond(
            "SOFTWARE_TOKEN_MFA", session, USERNAME="alice", SOFTWARE_TOKEN_MFA_CODE=code
        )

    def valid(self) -> Any:
        if totp.step_at(self.rig.clock.now()) == self.used_step:  # a used step would be a replay
            self.rig.clock.advance(30)
        self.used_step = totp.step_at(self.rig.clock.now())
        return tokens_of(self.answer(self.rig.code(self.secret)))

    def invalid(self) -> Any:
        return self.answer(totp.code_at(self.secret, totp.step_at(self.rig.clock.now()) + 9))


class EmailChallenge(EntryPoint):
    refusal = WRONG_CODE
    CODE = "12345678"

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.rig.activate("alice", ["EMAIL_OTP"], "EMAIL_OTP")

    def answer(self, code: str) -> Any:
        data = email_otp.seal_code(self.ctx(), self.CODE, "alice@example.com")
        session = self.session("EMAIL_OTP", data)
        return self.rig.respond("EMAIL_OTP", session, USERNAME="alice", EMAIL_OTP_CODE=code)

    def valid(self) -> Any:
        return tokens_of(self.answer(self.CODE))

    def invalid(self) -> Any:
        return self.answer("87654321")


class VerifySoftwareToken(EntryPoint):
    refusal = WRONG_ENROLMENT

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.token = tokens_of(self.rig.login("alice"))["AccessToken"]
        self.secret = ""
        self.used_step = -1

    def associate(self) -> None:
        got = self.rig.engine.call("AssociateSoftwareToken", {"AccessToken": self.token})
        self.secret = got["SecretCode"]

    def verify(self, code: str) -> Any:
        return self.rig.engine.call(
            "VerifySoftwareToken", {"AccessToken": self.token, "UserCode": code}
        )

    def valid(self) -> Any:
        if not self.secret:
            self.associate()
        if totp.step_at(self.rig.clock.now()) == self.used_step:
            self.rig.clock.advance(30)
        self.used_step = totp.step_at(self.rig.clock.now())
        got = self.verify(self.rig.code(self.secret))
        assert got == {"Status": "SUCCESS"}
        self.secret = ""  # verified: the next attempt needs a new association
        return got

    def invalid(self) -> Any:
        if not self.secret:
            self.associate()
        return self.verify(totp.code_at(self.secret, totp.step_at(self.rig.clock.now()) + 9))


class ChangePassword(EntryPoint):
    refusal = WRONG_PASSWORD
    resets = False  # only a completed sign-in forgets failures: no free MFA guesses

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.token = tokens_of(self.rig.login("alice"))["AccessToken"]

    def change(self, previous: str) -> Any:
        return self.rig.engine.call(
            "ChangePassword",
            {"AccessToken": self.token, "PreviousPassword": previous, "ProposedPassword": PASSWORD},
        )

    def valid(self) -> Any:
        return self.change(PASSWORD)

    def invalid(self) -> Any:
        return self.change("Wrong-pass-1")


ENTRY_POINTS: list[type[EntryPoint]] = [
    PasswordStep,
    TotpChallenge,
    EmailChallenge,
    VerifySoftwareToken,
    ChangePassword,
]


@pytest.fixture(params=ENTRY_POINTS, ids=lambda kind: kind.__name__)
def entry(request: pytest.FixtureRequest, engine: Engine) -> EntryPoint:
    kind: type[EntryPoint] = request.param
    return kind(engine)


def refused(attempt: Callable[[], Any], expected: tuple[str, str]) -> None:
    """``attempt`` fails with exactly this Cognito error name and message."""
    with raises_cognito(*expected):
        attempt()


def failures(entry: EntryPoint) -> int:
    return entry.rig.row("alice").failed_attempts


def test_five_failures_are_answered_then_the_user_is_locked(entry: EntryPoint) -> None:
    for n in range(1, 6):
        refused(entry.invalid, entry.refusal)
        assert failures(entry) == n  # committed although the call failed
    refused(entry.invalid, EXCEEDED)
    assert failures(entry) == 5  # attempts during the lock are not failures


def test_a_right_answer_is_refused_while_locked(entry: EntryPoint) -> None:
    for _ in range(5):
        refused(entry.invalid, entry.refusal)
    refused(entry.valid, EXCEEDED)
    entry.rig.clock.advance(1)
    entry.valid()


def test_the_lock_expires_and_doubles_on_the_clock(entry: EntryPoint) -> None:
    for _ in range(5):
        refused(entry.invalid, entry.refusal)
    entry.rig.clock.advance(0.999)
    refused(entry.invalid, EXCEEDED)
    entry.rig.clock.advance(0.001)
    refused(entry.invalid, entry.refusal)  # the sixth failure locks for 2 s
    entry.rig.clock.advance(1.999)
    refused(entry.valid, EXCEEDED)
    entry.rig.clock.advance(0.001)
    entry.valid()


def test_success_resets_the_count_where_it_completes_a_sign_in(entry: EntryPoint) -> None:
    for _ in range(4):
        refused(entry.invalid, entry.refusal)
    entry.valid()
    assert failures(entry) == (0 if entry.resets else 4)
    refused(entry.invalid, entry.refusal)
    refused(entry.invalid, entry.refusal if entry.resets else EXCEEDED)


def test_concurrent_wrong_guesses_are_all_counted(entry: EntryPoint) -> None:
    engine = entry.rig.engine
    outcomes = run_together([entry.invalid] * 5, after_each=engine.db.close)
    assert all(isinstance(o, CognitoError) for o in outcomes), outcomes
    assert sorted((o.code, o.message) for o in outcomes) == [entry.refusal] * 5
    assert failures(entry) == 5
    refused(entry.valid, EXCEEDED)
