"""The standalone pool's development outbox: kept, listed newest first, served only on loopback."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mfa_portal.cognito_api import errors
from mfa_portal.mail import MailSettings, Message, SmtpMailer, UnconfiguredMailer
from mfa_portal.pool import outbox as outbox_module
from mfa_portal.pool.outbox import PoolOutbox
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.standalone import build_mailer, build_standalone, read_outbox
from tests.support.wire_server import serve_app_in_thread

FAST = PasswordHasher(memory_kib=1024, time_cost=1)


def message(n: int) -> Message:
    return Message(to=f"u{n}@example.com", subject=f"s{n}", body=f"code {n}")


def test_messages_are_listed_newest_first_and_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = PoolOutbox(tmp_path)
    box.send(message(1))
    box.send(message(2))
    assert [m.to for m in read_outbox(tmp_path)] == ["u2@example.com", "u1@example.com"]
    assert "mail to u2@example.com: s2\ncode 2" in capsys.readouterr().err


def test_only_the_latest_messages_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox_module, "KEEP", 3)
    box = PoolOutbox(tmp_path, echo=False)
    for n in range(5):
        box.send(message(n))
    assert [m.subject for m in read_outbox(tmp_path, limit=10)] == ["s4", "s3", "s2"]


def test_reading_a_directory_without_an_outbox_creates_nothing(tmp_path: Path) -> None:
    assert read_outbox(tmp_path / "none") == []
    assert not (tmp_path / "none").exists()


def test_mailer_choice_follows_smtp_and_mode(tmp_path: Path) -> None:
    smtp, box = build_mailer(tmp_path, MailSettings(smtp_host="mail.example", mode="production"))
    assert isinstance(smtp, SmtpMailer) and box is None
    refusing, box = build_mailer(tmp_path, MailSettings(mode="production"))
    assert isinstance(refusing, UnconfiguredMailer) and box is None
    kept, box = build_mailer(tmp_path, MailSettings(mode="development"))
    assert isinstance(kept, PoolOutbox) and box is kept


def test_production_without_smtp_fails_the_call_instead_of_losing_the_code(tmp_path: Path) -> None:
    pool = build_standalone(tmp_path, hasher=FAST, mail=MailSettings(mode="production"))
    engine = pool.engine
    pool_id = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal="t")["UserPool"]["Id"]
    with pytest.raises(errors.CodeDeliveryFailureException):
        engine.call(
            "AdminCreateUser",
            {
                "UserPoolId": pool_id,
                "Username": "alice",
                "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}],
            },
            iam_principal="t",
        )


@pytest.mark.parametrize(("host", "served"), [("127.0.0.1", True), ("0.0.0.0", False)])
def test_dev_outbox_is_served_only_on_loopback(tmp_path: Path, host: str, served: bool) -> None:
    pool = build_standalone(tmp_path, host=host, hasher=FAST)
    assert pool.outbox is not None
    pool.outbox.send(message(1))
    with serve_app_in_thread(pool.app) as url:
        response = httpx.get(f"{url}/dev/outbox")
    assert pool.outbox_served is served
    if served:
        assert response.json()["Messages"][0]["Body"] == "code 1"
        assert response.headers["cache-control"] == "no-store"
    else:
        assert response.status_code != 200 and "code 1" not in response.text


def test_dev_outbox_refuses_a_non_numeric_limit(tmp_path: Path) -> None:
    pool = build_standalone(tmp_path, hasher=FAST)
    with serve_app_in_thread(pool.app) as url:
        assert httpx.get(f"{url}/dev/outbox", params={"limit": "x"}).status_code == 400
