"""The embedded, Cognito-compatible user pool: engine, storage and wire front."""
