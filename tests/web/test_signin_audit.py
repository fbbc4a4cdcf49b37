"""Sign-in failures seen by the portal's own pages reach the audit trail, where support can filter
them ("why can't alice sign in?"): wrong passwords, unknown names, wrong and replayed codes,
lockouts; rate-limited per user, and never with the password or the code."""

from __future__ import annotations

import csv
import io

from mfa_portal.wiring.support import build_support
from tests.admin.test_admin_console import admin_browser, table_body
from tests.support.portal import PASSWORD, PortalWorld, enrol


def _trail(world: PortalWorld) -> list[dict[str, str]]:
    support = build_support(world.settings, world.idp, world.pool_id)
    return [
        {"action": e.action, "target": e.target, "detail": e.detail, "actor": e.actor}
        for e in reversed(support.audit.query())
        if e.action.startswith("sign-in.")
    ]


def _other_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_wrong_passwords_codes_and_replays_are_audited(world: PortalWorld) -> None:
    _, secret = enrol(world, "alice")
    world.next_step()
    visitor = world.browser()
    assert visitor.sign_in("alice", "Wrong-Pass-1!").status_code == 400
    assert visitor.sign_in("alice", "Wrong-Pass-2!").status_code == 400  # counted, not listed
    assert visitor.sign_in("nobody", "Wrong-Pass-3!").status_code == 400
    visitor.follow(visitor.sign_in("alice", PASSWORD))
    code = world.code(secret)
    refused = visitor.post("/signin/code", {"code": _other_code(code)})
    assert refused.status_code == 400
    signed_in = visitor.post("/signin/code", {"code": code}, follow=True)
    assert signed_in.status_code == 200
    replayer = world.browser()  # the same code again, in the same 30 seconds
    replayer.follow(replayer.sign_in("alice", PASSWORD))
    assert replayer.post("/signin/code", {"code": code}).status_code == 400

    trail = _trail(world)
    assert [(e["action"], e["target"]) for e in trail] == [
        ("sign-in.wrong-password", "alice"),
        ("sign-in.wrong-password", "nobody"),
        ("sign-in.wrong-code", "alice"),
        ("sign-in.replayed-code", "alice"),
    ]
    assert {e["actor"] for e in trail} == {"visitor"}
    assert trail[2]["detail"] == "wrong code (authenticator code)"

    admin = admin_browser(world)
    rows = table_body(admin.get("/admin/audit?kind=sign-in").text)
    assert rows.count("sign-in.") == 4 and "reset-mfa" not in rows
    user_page = admin.get("/admin/users/alice").text
    assert "sign-in.replayed-code" in user_page
    assert "Sign-in failures since" in user_page and "1 more" in user_page  # the counted one
    export = admin.get("/admin/audit/export?format=csv&kind=sign-in").text
    assert len(list(csv.DictReader(io.StringIO(export)))) == 4
    for secret_text in ("Wrong-Pass", PASSWORD, code, _other_code(code)):
        assert secret_text not in export


def test_a_lockout_is_audited(engine_world: PortalWorld) -> None:
    enrol(engine_world, "alice")
    visitor = engine_world.browser()
    pages = [visitor.sign_in("alice", f"Wrong-Pass-{n}!") for n in range(8)]
    assert "locked" in pages[-1].text.lower() or "too many" in pages[-1].text.lower()
    actions = [e["action"] for e in _trail(engine_world)]
    assert actions == ["sign-in.wrong-password", "sign-in.locked-out"]


def test_the_console_filters_by_kind_and_pages(engine_world: PortalWorld) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)
    for n in range(53):
        admin.get("/admin/users/bob")
        admin.post("/admin/users/bob/signout", {"reason": f"ticket {n}", "confirm": "yes"})
    first = admin.get("/admin/audit?target=bob").text
    assert "Entries 1–50 of 53" in first
    assert "ticket 52" in first and "ticket 2<" not in first
    older = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = admin.get(older).text
    assert "Entries 51–53 of 53" in second and "ticket 2<" in second and "ticket 52" not in second
    assert 'rel="next"' not in second
    newer = second.split('rel="prev" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "Entries 1–50 of 53" in admin.get(newer).text
    assert "No entries match" in admin.get("/admin/audit?kind=sign-in").text
    bad_cursor = admin.get("/admin/audit?before=abc&kind=nonsense")  # an edited URL: ignored
    assert bad_cursor.status_code == 200


def test_failures_under_the_email_address_show_on_the_users_page(
    engine_world: PortalWorld,
) -> None:
    enrol(engine_world, "alice")
    visitor = engine_world.browser()
    assert visitor.sign_in("alice@example.com", "Wrong-Pass-1!").status_code == 400
    admin = admin_browser(engine_world)
    recent = admin.get("/admin/users/alice").text.split('id="recent"')[1].split("</ol>")[0]
    assert "sign-in.wrong-password" in recent
