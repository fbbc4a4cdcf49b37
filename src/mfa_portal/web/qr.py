"""What an authenticator app needs: the ``otpauth://`` URI, its QR code as inline SVG, the grouped key.

The URI follows the Key URI format apps understand (and Amplify's ``getTOTPSetupDetails``):
``otpauth://totp/<Issuer>:<account>?secret=…&issuer=<Issuer>``, SHA-1, 6 digits, 30 seconds — the
only parameters Cognito accepts (spec §5).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import segno
from markupsafe import Markup


def otpauth_uri(secret: str, *, issuer: str, account: str) -> str:
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": "6", "period": "30"},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str, *, title: str) -> Markup:
    """The QR code as an ``<svg>`` element to embed in the page (no script, no inline style)."""
    code = segno.make(uri, error="m", micro=False)
    svg = code.svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=title, svgclass="qr", omitsize=True
    )
    return Markup(svg)  # segno escapes the title; the rest is generated geometry


def grouped(secret: str) -> str:
    """``JBSWY3DPEHPK3PXP`` → ``JBSW Y3DP EHPK 3PXP``, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
