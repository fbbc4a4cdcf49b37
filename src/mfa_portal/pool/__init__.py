"""The embedded, Cognito-compatible user pool: Cognito's semantics over SQLite.

Dispatch: ``engine`` (the call entry point), ``operations`` (the handler modules, listed), ``registry`` (marking a handler with its operation name), ``validate``
(every input against botocore's model, linear and within a time budget), ``context`` (what one call
sees); ``ops/`` holds one thin handler per operation. Concerns: ``pools``/``pool_settings`` (pools
and clients), ``config_cache`` (their parsed configuration, checked per call against a stamp),
``users``, ``attributes``, ``user_filter`` (ListUsers filters), ``user_search`` (their index ranges),
``password_policy``,
``passwords`` (argon2id), ``sign_in`` and ``flow_types`` (auth flows), ``srp``/``srp_sign_in``/
``srp_store`` (USER_SRP_AUTH, sealed verifiers), ``mfa_decision`` (the one challenge decision),
``auth_sessions`` (opaque single-use sessions), ``totp``, ``email_otp``, ``reset_codes``,
``verify_codes`` and ``verification_mail`` (sign-up and attribute codes), ``lockout`` (the one
throttle guard), ``unknown_names`` (names that are no user, answered like users), ``delivery``
(mail after commit), ``outbox`` (the standalone pool's readable mail), ``tokens``/``token_store``/
``access`` (JWTs, refresh families and rotation, access-token checks), ``token_cache`` (verified
JWTs per process), ``purge`` (expired rows a batch at a time), ``secret_hash``,
``secretbox``/``keyfiles``/``key_binding`` (sealed secrets, key files, keys checked against the
database), ``ids``. Storage: ``storage``/``schema``. Serving: ``wire`` (JSON 1.1 + SigV4 front, the
only Starlette code), ``sigv4``, ``credentials`` (the IAM key pair), ``standalone`` (``pool
serve``), ``client`` (the engine behind the ``CognitoClient`` seam, in-process). Never imports
``web``, ``admin``, ``wiring``.
"""
