"""The portal signs in with SRP: its app client need not allow USER_PASSWORD_AUTH at all."""

from __future__ import annotations

from tests.support.portal import PASSWORD, PortalWorld


def _only(world: PortalWorld, flows: list[str]) -> None:
    world.idp.call(
        "UpdateUserPoolClient",
        UserPoolId=world.pool_id,
        ClientId=world.client_id,
        ExplicitAuthFlows=flows,
        PreventUserExistenceErrors="ENABLED",
    )


def test_sign_in_and_enrolment_work_with_srp_only(world: PortalWorld) -> None:
    _only(world, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    world.create_user("alice", permanent=True)
    browser = world.browser()
    answer = browser.sign_in("alice", PASSWORD)
    assert answer.headers["location"] == "/mfa/setup"
    browser.get("/mfa/setup")
    secret = browser.secret()
    browser.post("/mfa/setup", {"code": world.code(secret)}, follow=True)
    assert browser.get("/auth/verify").status_code == 200
    browser.post("/signout", follow=True)
    world.next_step()
    assert browser.sign_in("alice", PASSWORD).headers["location"] == "/signin/code"
    browser.get("/signin/code")
    done = browser.post("/signin/code", {"code": world.code(secret)}, follow=True)
    assert done.status_code == 200
    assert browser.get("/auth/verify").headers["X-Auth-User"] == "alice"


def test_a_wrong_password_over_srp_reads_as_a_wrong_password(world: PortalWorld) -> None:
    _only(world, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    world.create_user("alice", permanent=True)
    browser = world.browser()
    page = browser.sign_in("alice", "Wrong-Horse-9!")
    assert page.status_code == 400
    assert "Incorrect username or password" in page.text


def test_a_temporary_password_over_srp_leads_to_the_new_password_page(world: PortalWorld) -> None:
    _only(world, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    world.create_user("bob")
    answer = world.browser().sign_in("bob", "Temp-Pass-123!")
    assert answer.headers["location"] == "/signin/new-password"


def test_a_client_without_srp_falls_back_to_the_password_flow(world: PortalWorld) -> None:
    _only(world, ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    world.create_user("alice", permanent=True)
    assert world.browser().sign_in("alice", PASSWORD).headers["location"] == "/mfa/setup"


def test_the_password_flow_can_be_chosen(world: PortalWorld) -> None:
    _only(world, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    world.create_user("alice", permanent=True)
    page = world.browser(auth_flow="password").sign_in("alice", PASSWORD)
    assert (
        page.status_code == 400
    )  # this client refuses USER_PASSWORD_AUTH: nothing to fall back to
    assert "Incorrect username or password" not in page.text


def test_a_client_with_refresh_token_rotation_keeps_sessions_alive(world: PortalWorld) -> None:
    """Re-validation refreshes through GetTokensFromRefreshToken when the client rotates tokens."""
    world.idp.call(
        "UpdateUserPoolClient",
        UserPoolId=world.pool_id,
        ClientId=world.client_id,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
    )
    world.create_user("alice", permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in("alice", PASSWORD))
    browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    assert browser.get("/auth/verify").status_code == 200
    for _ in range(3):  # each re-check rotates the refresh token; the session follows it
        world.clock.advance(61)
        assert browser.get("/auth/verify").status_code == 200
    world.clock.advance(3700)  # past the first access token's expiry
    assert browser.get("/auth/verify").status_code == 200
