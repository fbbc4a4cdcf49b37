"""The security-event lines themselves: one line, chosen fields, never a secret-named field."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from mfa_portal.security_events import LOGGER_NAME, configure_logging, emit


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger("mfa_portal")
    before = (list(root.handlers), root.level)
    yield stream
    root.handlers[:] = before[0]
    root.setLevel(before[1])


def test_text_lines_carry_the_event_and_its_fields(output: io.StringIO) -> None:
    configure_logging("INFO", "text", output)
    emit("sign-in.password-failed", user="bob", ip="203.0.113.9", reason="wrong password")
    line = output.getvalue().strip()
    assert line.endswith(
        f"INFO {LOGGER_NAME} event=sign-in.password-failed user=bob ip=203.0.113.9 "
        'reason="wrong password"'
    )


def test_json_lines_are_one_object_each(output: io.StringIO) -> None:
    configure_logging("info", "json", output)
    emit("totp.replayed", logging.WARNING, user="bob", ip="::1", failures=3)
    logging.getLogger("mfa_portal.pool.wire").info("plain %s", "message")
    first, second = (json.loads(line) for line in output.getvalue().splitlines())
    assert first["event"] == "totp.replayed" and first["level"] == "WARNING"
    assert (first["user"], first["ip"], first["failures"]) == ("bob", "::1", 3)
    assert second["message"] == "plain message" and "event" not in second


def test_secret_named_fields_are_dropped_and_text_cannot_forge_a_line(
    output: io.StringIO,
) -> None:
    configure_logging("INFO", "text", output)
    emit(
        "recovery.failed",
        user="eve\nINFO mfa_portal.security event=sign-in.succeeded user=admin",
        password="hunter2",
        code="123456",
        access_token="eyJ.x.y",
        secret_hash="abc=",
        session="AYABe",
    )
    text = output.getvalue()
    assert text.count("\n") == 1
    for secret in ("hunter2", "123456", "eyJ.x.y", "abc=", "AYABe"):
        assert secret not in text


def test_the_level_setting_filters_and_a_second_set_up_replaces_the_first(
    output: io.StringIO,
) -> None:
    configure_logging("INFO", "text", io.StringIO())
    configure_logging("WARNING", "text", output)
    emit("sign-in.succeeded", user="bob")
    emit("user.locked-out", logging.WARNING, user="bob")
    assert "sign-in.succeeded" not in output.getvalue()
    assert output.getvalue().count("event=user.locked-out") == 1
