"""axe-core in Chromium pages: one copy of the script (npm, tests/sdk/js), one way to run it.

Pages are opened with ``bypass_csp=True`` so the script can be injected into pages whose CSP allows
only the portal's own scripts.
"""

from __future__ import annotations

from typing import Any, TypedDict

from tests.support.tools import REPO, missing

AXE = REPO / "tests" / "sdk" / "js" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA.
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
  }));
}"""


class Violation(TypedDict):
    id: str
    impact: str
    help: str
    targets: list[str]  # the first five nodes' selectors


def require_axe() -> None:
    """Skip when axe-core is not installed (fail in CI, where ``make test`` installs it)."""
    if not AXE.exists():
        missing(f"axe-core is not installed at {AXE} (make test runs npm ci in tests/sdk/js)")


def axe_violations(page: Any, tags: list[str] = WCAG) -> list[Violation]:
    """What axe-core finds on ``page`` (a Playwright page) against ``tags``: [] is a pass."""
    page.add_script_tag(path=str(AXE))
    found: list[Violation] = page.evaluate(_RUN, tags)
    return found
