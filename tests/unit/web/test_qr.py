"""The otpauth:// URI an authenticator app reads, and the secret grouped for typing by hand."""

from __future__ import annotations

from mfa_portal.web.qr import grouped, otpauth_uri


def test_otpauth_uri_and_grouping() -> None:
    uri = otpauth_uri("JBSWY3DPEHPK3PXP", issuer="Example Corp", account="alice@example.com")
    assert uri == (
        "otpauth://totp/Example%20Corp:alice@example.com?secret=JBSWY3DPEHPK3PXP"
        "&issuer=Example%20Corp&algorithm=SHA1&digits=6&period=30"
    )
    assert grouped("JBSWY3DPEHPK3PXPAB") == "JBSW Y3DP EHPK 3PXP AB"
