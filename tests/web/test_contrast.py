"""The focus indicator is at least 3:1 (WCAG 2.2, 1.4.11 and 2.4.13) against every background a
focused control sits on, computed from the colours the stylesheet declares."""

from __future__ import annotations

import re

import pytest

from mfa_portal.web.responses import STATIC_DIR

CSS = (STATIC_DIR / "portal.css").read_text(encoding="utf-8")
#: The backgrounds of the page and of the boxes controls appear in (and the secondary button).
BACKGROUNDS = ("#ffffff", "#f0f6fc", "#f6f8fa", "#eaeef2")


def parse_colour(value: str) -> tuple[int, int, int]:
    """``#rgb``, ``#rrggbb`` or ``rgb(r, g, b)`` / ``rgba(r, g, b, 1)`` as (r, g, b)."""
    value = value.strip()
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) == 3:
            digits = "".join(ch * 2 for ch in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    found = re.match(r"rgba?\((\d+),\s*(\d+),\s*(\d+)", value)
    assert found is not None, value
    r, g, b = (int(x) for x in found.groups())
    return r, g, b


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _variable(name: str) -> str:
    found = re.search(rf"--{name}:\s*([^;]+);", CSS)
    assert found is not None, name
    return found.group(1).strip()


def test_the_ratio_helper_matches_known_values() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast(parse_colour("#777"), parse_colour("#fff")) == pytest.approx(4.48, abs=0.01)
    # The old amber ring, the reason for this test: well below 3:1 on white.
    assert contrast(parse_colour("#ffbf47"), parse_colour("#ffffff")) < 1.7


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_the_focus_ring_has_3_to_1_on_every_background(background: str) -> None:
    ring = parse_colour(_variable("focus"))
    assert contrast(ring, parse_colour(background)) >= 3.0


def test_every_focus_style_uses_the_ring_colour() -> None:
    rules = re.findall(r"([^{}]*:focus[^{}]*)\{([^}]*)\}", CSS)
    assert rules
    for selector, body in rules:
        if "outline" in body and "outline: none" not in body:  # main:focus (skip-link target)
            assert "var(--focus)" in body, selector
    # The skip link's filled background keeps its dark text readable (4.5:1).
    fill = parse_colour(_variable("focus-fill"))
    assert contrast(fill, parse_colour(_variable("ink"))) >= 4.5
