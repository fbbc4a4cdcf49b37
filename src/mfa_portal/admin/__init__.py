"""Support: what the console and the CLI do to users, and the records they keep.

``support`` (what every action needs, and the ``audited`` wrapper), ``actions`` (reset the
authenticator, set MFA, attributes, passwords, disable/enable/delete, sign-out), ``self_service``
(recovery codes and the lost-phone reset) with ``recovery_limit`` (its rate limit), ``lookup``
(read-only user and pool views), ``display`` (names and free text made safe for a terminal or a
page, look-alikes marked), ``pool_config`` (the pool's MFA configuration), ``audit`` (the
append-only audit trail and its filter), ``recovery_codes``, ``enrolment_codes`` (the emailed proof
before a first enrolment), ``revocations`` (markers that end portal sessions at once), ``notify``
(notices by SMTP or the development outbox), ``secret_check`` (the session secret's check value,
so a replica with another secret does not start), ``store`` (the portal store these live in).
Speaks to the pool only through the Cognito API.
"""
