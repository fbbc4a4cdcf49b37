"""Notifications reach a real SMTP server (aiosmtpd): plain, STARTTLS with auth, implicit TLS;
without SMTP, development mode keeps them in the outbox and production refuses."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mfa_portal.admin.notify import (
    MailNotConfigured,
    MailSettings,
    Notifier,
    Outbox,
    SmtpMailer,
    UnconfiguredMailer,
    build_mailer,
)
from mfa_portal.admin.store import PortalStore
from mfa_portal.mail import Message


class Inbox:
    def __init__(self) -> None:
        self.mail: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.mail.append(message_from_bytes(envelope.content))
        return "250 OK"


def _body(mail: Any) -> str:
    return str(mail.get_payload(decode=True).decode("utf-8"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_ctx(files: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(files[0]), str(files[1]))
    return ctx


def _client_ctx(files: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(files[0]))


@pytest.fixture
def smtp_server(request: pytest.FixtureRequest) -> Iterator[tuple[Inbox, int, Controller]]:
    inbox = Inbox()
    port = _free_port()
    kwargs: dict[str, Any] = getattr(request, "param", {})
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    yield inbox, port, controller
    controller.stop()


def _settings(port: int, **kw: Any) -> MailSettings:
    base: dict[str, Any] = dict(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_from="portal@example.com",
        public_url="https://portal.example",
    )
    return MailSettings(**{**base, **kw})


def test_plain_smtp_delivers_the_reset_notice(smtp_server: tuple[Inbox, int, Controller]) -> None:
    inbox, port, _ = smtp_server
    notifier = Notifier(SmtpMailer(_settings(port)), public_url="https://portal.example")
    assert notifier.mfa_reset("bob@example.com", "bob")
    [mail] = inbox.mail
    assert mail["To"] == "bob@example.com" and mail["From"] == "portal@example.com"
    assert "authenticator was reset" in mail["Subject"]
    body = _body(mail)
    assert (
        "bob" in body and "set up a new authenticator" in body and "https://portal.example" in body
    )


def test_starttls_with_login(tls_files: tuple[Path, Path]) -> None:
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        seen.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret")

    inbox, port = Inbox(), _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=_server_ctx(tls_files),
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        good = _settings(
            port, smtp_security="starttls", smtp_username="mailer", smtp_password="s3cret"
        )
        mailer = SmtpMailer(good, ssl_context=_client_ctx(tls_files))
        assert Notifier(mailer).recovery_code_used("bob@example.com", "bob", remaining=9)
        assert "9 unused recovery codes remain" in _body(inbox.mail[0])
        assert seen == [(b"mailer", b"s3cret")]
        bad = SmtpMailer(
            _settings(
                port,
                smtp_security="starttls",
                smtp_username="mailer",
                smtp_password="wrong",
                timeout=1.0,
            ),
            ssl_context=_client_ctx(tls_files),
        )
        assert not Notifier(bad).mfa_changed("bob@example.com", "bob", "totp disabled")
        assert len(inbox.mail) == 1
    finally:
        controller.stop()


def test_implicit_tls(tls_files: tuple[Path, Path]) -> None:
    inbox, port = Inbox(), _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, ssl_context=_server_ctx(tls_files)
    )
    controller.start()
    try:
        mailer = SmtpMailer(
            _settings(port, smtp_security="tls"), ssl_context=_client_ctx(tls_files)
        )
        assert Notifier(mailer).recovery_codes_issued("bob@example.com", "bob")
        assert "previous codes no longer work" in _body(inbox.mail[0])
    finally:
        controller.stop()


def test_unreachable_server_is_reported_not_raised() -> None:
    mailer = SmtpMailer(_settings(_free_port(), timeout=2.0))
    assert Notifier(mailer).mfa_reset("bob@example.com", "bob") is False


def test_development_without_smtp_uses_the_outbox_and_prints(
    store: PortalStore, capsys: pytest.CaptureFixture[str]
) -> None:
    mailer = build_mailer(MailSettings(mode="development"), store)
    assert isinstance(mailer, Outbox)
    assert Notifier(mailer).mfa_reset("bob@example.com", "bob")
    [message] = mailer.messages()
    assert message.recipient == "bob@example.com" and "authenticator was reset" in message.subject
    assert "bob@example.com" in capsys.readouterr().err


def test_production_without_smtp_refuses(store: PortalStore) -> None:
    mailer = build_mailer(MailSettings(mode="production"), store)
    assert isinstance(mailer, UnconfiguredMailer)
    with pytest.raises(MailNotConfigured):
        mailer.send(Message("bob@example.com", "s", "b"))
    assert Notifier(mailer).mfa_reset("bob@example.com", "bob") is False


def test_a_configured_host_means_smtp_in_any_mode(store: PortalStore) -> None:
    assert isinstance(
        build_mailer(MailSettings(smtp_host="mail", mode="development"), store), SmtpMailer
    )
