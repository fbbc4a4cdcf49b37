"""The Cognito seam's contract, shared by both sides: the portal and the embedded pool.

``client`` — the ``CognitoClient`` protocol every portal, console and CLI call goes through, and its
boto3 implementation (Amazon Cognito, the pool's wire front, moto); ``errors`` — one declared
exception class per Cognito error name, written by ``generate_errors`` from botocore's model;
``messages`` — the one catalog of Cognito message texts, with the predicates the portal recognises
errors by; ``service_model`` — botocore's cognito-idp model, the contract for every shape;
``secret_hash`` — SECRET_HASH; ``srp`` — Cognito's SRP math (shared with the pool) and the client
side; ``password_auth`` — the password step of a server-side sign-in (SRP or password);
``passwords`` — temporary passwords that meet the default policy; ``id_tokens`` — ID-token
verification against a pool's JWKS. Imports nothing of the project but ``clock``.
"""
