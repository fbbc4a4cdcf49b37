"""Support actions shared by the admin console and the CLI, plus the audit trail."""
