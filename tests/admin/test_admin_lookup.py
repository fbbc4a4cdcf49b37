"""Finding users and reading the pool, as the console and the CLI show them."""

from __future__ import annotations

import pytest

from mfa_portal.admin import lookup
from mfa_portal.admin.pool_config import describe_pool, set_pool_mfa
from mfa_portal.admin.support import ActionFailed
from mfa_portal.cognito_api.client import CognitoError
from tests.support.setup import create_pool
from tests.support.support_desk import ADMIN, SupportDesk


@pytest.mark.backends("engine", "moto")
def test_list_and_search_by_username_or_email_prefix(desk: SupportDesk) -> None:
    desk.add_user("alice", "alice@corp.example")
    desk.add_user("bob", "robert@corp.example")
    desk.add_user("alfred", "fred@home.example")
    names = sorted(u.username for u in lookup.list_users(desk.support))
    assert names == ["alfred", "alice", "bob"]
    assert [u.username for u in lookup.search_users(desk.support, "al")] == ["alfred", "alice"]
    assert [u.username for u in lookup.search_users(desk.support, "rob")] == ["bob"]
    filtered = lookup.list_users(desk.support, 'email ^= "fred"')
    assert [(u.username, u.email) for u in filtered] == [("alfred", "fred@home.example")]


@pytest.mark.backends("engine", "moto")
def test_status_filter_and_paging(desk: SupportDesk) -> None:
    for i in range(5):
        desk.add_user(f"user{i}")
    desk.client.call("AdminDisableUser", UserPoolId=desk.pool_id, Username="user3")
    assert [u.username for u in lookup.list_users(desk.support, status="disabled")] == ["user3"]
    assert len(lookup.list_users(desk.support, status="enabled")) == 4
    assert len(lookup.list_users(desk.support, limit=2)) == 2


@pytest.mark.backends("engine")
def test_user_detail_shows_mfa_methods_and_preference(desk: SupportDesk) -> None:
    desk.add_user("bob")
    before = lookup.get_user(desk.support, "bob")
    assert (before.mfa_methods, before.preferred_mfa) == ([], None)
    desk.enrol_totp("bob")
    detail = lookup.get_user(desk.support, "bob")
    assert detail.mfa_methods == ["totp"] and detail.preferred_mfa == "totp"
    assert detail.status == "CONFIRMED" and detail.enabled
    assert detail.attributes["email"] == "bob@example.com"
    assert detail.created.endswith("Z")
    assert detail.as_dict()["mfa_methods"] == ["totp"]
    with pytest.raises(CognitoError):
        lookup.get_user(desk.support, "nobody")


@pytest.mark.backends("engine", "moto")
def test_describe_pool(desk: SupportDesk) -> None:
    info = describe_pool(desk.support)
    assert info["id"] == desk.pool_id and info["name"] == "support-test"
    assert (info["mfa"], info["totp"], info["email_mfa"]) == ("OPTIONAL", True, False)


@pytest.mark.backends("engine")
def test_set_pool_mfa_keeps_the_factors_not_mentioned(desk: SupportDesk) -> None:
    pool_id, _ = create_pool(desk.client, email_mfa=True)
    desk.support.pool_id = pool_id
    result = set_pool_mfa(desk.support, ADMIN, "on", "all must enrol")
    assert result.message == "pool MFA ON, totp on, email on"
    info = describe_pool(desk.support)
    assert (info["mfa"], info["totp"], info["email_mfa"]) == ("ON", True, True)
    set_pool_mfa(desk.support, ADMIN, "optional", "portal enforces", email=False)
    info = describe_pool(desk.support)
    assert (info["mfa"], info["totp"], info["email_mfa"]) == ("OPTIONAL", True, False)
    set_pool_mfa(desk.support, ADMIN, "off", "testing")
    assert describe_pool(desk.support)["mfa"] == "OFF"
    entries = desk.support.audit.query()
    assert {e.action for e in entries} == {"pool mfa-config"}
    assert [e.detail.split(":")[0] for e in entries] == ["mode off", "mode optional", "mode on"]


@pytest.mark.backends("engine")
def test_pool_mfa_errors_are_reported_and_audited(desk: SupportDesk) -> None:
    with pytest.raises(ActionFailed) as exc:
        set_pool_mfa(desk.support, ADMIN, "off", "testing", totp=True)
    assert exc.value.code == "InvalidParameterException"
    with pytest.raises(ActionFailed) as exc:
        set_pool_mfa(desk.support, ADMIN, "on", "testing", totp=False)
    assert exc.value.code == "InvalidParameterException"
    assert [e.outcome for e in desk.support.audit.query()] == ["failure", "failure"]


@pytest.mark.backends("engine")
def test_mfa_per_listed_user_skips_users_gone_meanwhile(desk: SupportDesk) -> None:
    desk.add_user("bob")
    desk.add_user("eve")
    desk.enrol_totp("bob")
    listed = lookup.list_users(desk.support)
    desk.client.call("AdminDeleteUser", UserPoolId=desk.pool_id, Username="eve")
    assert lookup.mfa_of(desk.support, listed) == {"bob": ["totp"]}
