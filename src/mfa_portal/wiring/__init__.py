"""The one composition root: only ``mfa_portal.cli`` imports it.

``backend`` opens the embedded pool (in-process engine, its wire front, its mailer) or Amazon Cognito
through boto3; ``bootstrap`` is first start on an empty data directory (the default pool, its client
and first administrator); ``support`` builds the support actions, audit trail, recovery codes and
mailer from the settings; ``cli_support`` opens them for the CLI; ``app`` assembles the portal with
everything it ships and mounts the pool's wire front beside it; ``database`` names the stores of a
deployment for ``db migrate`` and ``db copy``; ``start_lock`` makes a first start happen once per
data directory, whoever else starts at the same moment.
"""
