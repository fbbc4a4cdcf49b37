"""The Cognito seam's contract, shared by both sides: the portal and the embedded pool.

``client`` — the ``CognitoClient`` protocol every portal, console and CLI call goes through, and its
boto3 implementation (Amazon Cognito, the pool's wire front, moto); ``errors`` — one exception class
per Cognito error name, from botocore's model; ``service_model`` — botocore's cognito-idp model, the
contract for every shape; ``secret_hash`` — SECRET_HASH for clients with a secret; ``id_tokens`` —
ID-token verification against a pool's JWKS. Imports nothing of the project but ``clock``.
"""
