"""The portal's extension points: every enrolment hook runs, the first redirect wins, a failing one
does not undo the enrolment."""

from __future__ import annotations

from typing import Any, cast

from fastapi import Request

from mfa_portal.web.deps import SignedInUser
from mfa_portal.web.extensions import PortalExtensions


def test_every_hook_runs_the_first_path_wins_and_a_failure_is_skipped() -> None:
    seen: list[str] = []

    def failing(request: Request, user: SignedInUser) -> str | None:
        seen.append("failing")
        raise RuntimeError("a broken extension")

    def quiet(request: Request, user: SignedInUser) -> str | None:
        seen.append("quiet")
        return None

    def first(request: Request, user: SignedInUser) -> str | None:
        seen.append("first")
        return "/first"

    def second(request: Request, user: SignedInUser) -> str | None:
        seen.append("second")
        return "/second"

    extensions = PortalExtensions(after_enrolment=(failing, quiet, first, second))
    request, user = cast(Request, object()), cast(SignedInUser, cast(Any, object()))
    assert extensions.run_after_enrolment(request, user) == "/first"
    assert seen == ["failing", "quiet", "first", "second"]


def test_no_hooks_means_the_portal_chooses() -> None:
    request, user = cast(Request, object()), cast(SignedInUser, cast(Any, object()))
    assert PortalExtensions().run_after_enrolment(request, user) is None
