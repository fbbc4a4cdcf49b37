"""The portal: pages, sessions, CSRF, the enrolment guard and forward-auth."""
