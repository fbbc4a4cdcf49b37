"""boto3 on any of the Cognito-compatible servers the bench and the comparison tool start."""

from __future__ import annotations

from typing import Any

import boto3
import pyotp
from botocore.config import Config

from bench.servers import Server


class LaxTOTP(pyotp.TOTP):
    """moto hands out a 60-bit secret; pyotp refuses < 112 bits unless told otherwise."""

    min_secret_length_bits = 0


def client_for(server: Server) -> Any:
    return boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=server.endpoint,
        aws_access_key_id=server.key,
        aws_secret_access_key=server.secret,
        config=Config(retries={"max_attempts": 1}, max_pool_connections=16),
    )
