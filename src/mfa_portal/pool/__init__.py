"""The embedded, Cognito-compatible user pool: Cognito's semantics over SQLite.

Dispatch: ``engine`` (the call entry point), ``registry`` (operation name → handler), ``validate``
(every input against botocore's model), ``context`` (what one call sees); ``ops/`` holds one thin
handler per operation. Concerns: ``pools``/``pool_settings`` (pools and clients), ``users``,
``attributes``, ``user_filter`` (ListUsers filters), ``password_policy``, ``passwords`` (argon2id),
``sign_in`` (auth flows), ``mfa_decision`` (the one challenge decision), ``auth_sessions`` (opaque
single-use sessions), ``totp``, ``email_otp``, ``reset_codes``, ``lockout``, ``delivery`` (mail after
commit), ``tokens``/``token_store``/``access`` (JWTs, refresh families, access-token checks),
``secret_hash``, ``secretbox``/``keyfiles`` (sealed secrets and key files), ``ids``. Storage:
``storage``/``schema``. Serving: ``wire`` (JSON 1.1 + SigV4 front, the only Starlette code),
``sigv4``, ``credentials`` (the IAM key pair), ``standalone`` (``pool serve``), ``client`` (the
engine behind the ``CognitoClient`` seam, in-process). Never imports ``web``, ``admin``, ``wiring``.
"""
