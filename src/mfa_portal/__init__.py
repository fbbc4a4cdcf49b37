"""mfa-portal: enforced TOTP MFA for Amazon Cognito, with an embedded Cognito-compatible pool."""
