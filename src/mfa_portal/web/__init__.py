"""The portal: pages, sessions, CSRF, the enrolment guard, forward-auth and the support console.

``app`` assembles it from what the composition root passes in (``portal`` bundles that for the
routes; ``extensions`` are its enrolment/account hooks). Routes: ``routes_signin``,
``routes_password`` (forgot/reset), ``routes_signup``, ``routes_enrol``, ``routes_account`` (home,
account, ``/auth/verify``; ``forward_auth`` answers that in front of the app when it can), ``routes_email`` (email change), ``routes_recovery``, ``routes_admin``;
none imports another. Below them: ``flow`` (sign-in progress against Cognito), ``outcomes`` (where
a step goes next), ``account_page``, ``enrolment_proof``, ``deps`` (guards), ``responses``
(templates and redirects), ``messages`` (Cognito errors → page texts), ``strings`` (every
sentence; ``strings_de`` and ``strings_console_de`` its German catalog, ``language`` picks one per request), ``state`` (the typed session state), ``sessions`` and ``session_store`` (server-side
sessions in SQLite or Redis), ``headers`` (security headers), ``delay`` (timing equaliser), ``qr``
(otpauth URI and QR), ``password_policy`` and ``pool_info`` (what the pool says of itself). Never
imports ``pool``.
"""
