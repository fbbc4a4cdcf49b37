"""What the portal reads about its pool (``DescribeUserPool``), kept for a few minutes per app.

Amazon Cognito answers only when the portal's IAM role may describe the pool; without it the
portal behaves as for the most closed pool (no self sign-up). A change to the pool reaches the
pages within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import logging
from typing import Any

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web.portal import Portal

log = logging.getLogger("mfa_portal.web")
CACHE_SECONDS = 60.0


def describe_pool(portal: Portal) -> dict[str, Any]:
    """The pool's ``UserPoolType``, or ``{}`` when the portal may not read it."""
    now = portal.clock()
    cached = portal.pool_description
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    pool: dict[str, Any] = {}
    if portal.client.supports("DescribeUserPool"):
        try:
            pool = portal.client.call("DescribeUserPool", UserPoolId=portal.user_pool_id)[
                "UserPool"
            ]
        except CognitoError as exc:
            log.info("cannot describe the pool: %s", exc.code)
    portal.pool_description = (now, pool)
    return pool


def self_signup_allowed(portal: Portal) -> bool:
    """``AdminCreateUserConfig.AllowAdminCreateUserOnly`` is false: anyone may create an account."""
    config = describe_pool(portal).get("AdminCreateUserConfig")
    return isinstance(config, dict) and config.get("AllowAdminCreateUserOnly") is False
