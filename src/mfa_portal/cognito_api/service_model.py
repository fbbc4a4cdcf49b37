"""botocore's cognito-idp service model: the contract for every request and response shape."""

from __future__ import annotations

from functools import cache

import botocore.session
from botocore.model import ServiceModel


@cache
def service_model() -> ServiceModel:
    """Load the model once; botocore >= 1.44 is pinned so AdminDeleteSoftwareToken exists."""
    return botocore.session.get_session().get_service_model("cognito-idp")
