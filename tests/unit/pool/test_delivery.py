"""Delivery of one-time codes: the in-memory mailer the standalone pool and the tests read."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from mfa_portal.mail import Mailer, MemoryMailer, Message

_: Mailer = MemoryMailer()  # conformance checked by mypy


def msg(to: str, body: str = "Your code is 123456") -> Message:
    return Message(to=to, subject="Sign-in code", body=body)


def test_keeps_messages_in_order() -> None:
    mailer = MemoryMailer()
    mailer.send(msg("a@example.com", "1"))
    mailer.send(msg("b@example.com", "2"))
    assert [m.body for m in mailer.messages] == ["1", "2"]


def test_last_to_finds_the_newest_message_for_an_address() -> None:
    mailer = MemoryMailer()
    mailer.send(msg("a@example.com", "old"))
    mailer.send(msg("b@example.com", "other"))
    mailer.send(msg("a@example.com", "new"))
    found = mailer.last_to("a@example.com")
    assert found is not None and found.body == "new"
    assert mailer.last_to("nobody@example.com") is None


def test_keeps_only_the_last_messages() -> None:
    mailer = MemoryMailer(keep=3)
    for i in range(5):
        mailer.send(msg("a@example.com", str(i)))
    assert [m.body for m in mailer.messages] == ["2", "3", "4"]


def test_silent_unless_echo(capsys: pytest.CaptureFixture[str]) -> None:
    MemoryMailer().send(msg("a@example.com", "Your code is 424242"))
    assert "424242" not in capsys.readouterr().out


def test_echo_shows_the_message_on_the_console(capsys: pytest.CaptureFixture[str]) -> None:
    MemoryMailer(echo=True).send(msg("a@example.com", "Your code is 424242"))
    out = capsys.readouterr().out
    assert "a@example.com" in out and "Sign-in code" in out and "424242" in out


def test_messages_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        msg("a@example.com").body = "changed"  # type: ignore[misc]


def test_concurrent_senders_lose_nothing() -> None:
    mailer = MemoryMailer(keep=10_000)

    def send_many(n: int) -> None:
        for i in range(200):
            mailer.send(msg(f"{n}@example.com", str(i)))

    threads = [threading.Thread(target=send_many, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(mailer.messages) == 1600
    last = mailer.last_to("3@example.com")
    assert last is not None and last.body == "199"
