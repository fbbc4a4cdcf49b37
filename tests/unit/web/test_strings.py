"""Every text a template asks for exists in the catalog, and placeholders are filled in."""

from __future__ import annotations

import re
from pathlib import Path

from mfa_portal.web.strings import STRINGS, t


def test_every_template_string_exists() -> None:
    templates = Path(__file__).resolve().parents[3] / "src/mfa_portal/web/templates"
    for path in templates.glob("*.html"):
        for key in re.findall(r'(?<![\w.])t\("([a-z_.A-Z]+)"\)', path.read_text()):
            assert key in STRINGS, f"{path.name}: {key}"
    assert (
        t("code.intro.email", destination="a***@e***")
        == "We sent a code to a***@e***. Enter it below."
    )
