"""One thin handler per Cognito operation, registered by name."""
