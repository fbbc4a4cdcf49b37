#!/usr/bin/env bash
# The README's AWS CLI session against the embedded pool (`mfa-portal pool serve`).
# Needs: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY printed by the pool, the AWS CLI, oathtool.
set -euo pipefail
EP=${1:-http://127.0.0.1:9229}
export AWS_DEFAULT_REGION=us-east-1
idp() { aws cognito-idp --endpoint-url "$EP" "$@"; }

POOL=$(idp create-user-pool --pool-name demo --query UserPool.Id --output text)
idp set-user-pool-mfa-config --user-pool-id "$POOL" --mfa-configuration OPTIONAL \
    --software-token-mfa-configuration Enabled=true >/dev/null
CLIENT=$(idp create-user-pool-client --user-pool-id "$POOL" --client-name demo \
    --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH \
    --query UserPoolClient.ClientId --output text)
idp admin-create-user --user-pool-id "$POOL" --username bob --message-action SUPPRESS \
    --user-attributes Name=email,Value=bob@example.com Name=email_verified,Value=true >/dev/null
idp admin-set-user-password --user-pool-id "$POOL" --username bob --password 'Correct-Horse-9' --permanent

# Sign in, enrol TOTP (oathtool plays the authenticator app).
ACCESS=$(idp initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH \
    --auth-parameters USERNAME=bob,PASSWORD=Correct-Horse-9 --query AuthenticationResult.AccessToken --output text)
SECRET=$(idp associate-software-token --access-token "$ACCESS" --query SecretCode --output text)
idp verify-software-token --access-token "$ACCESS" --user-code "$(oathtool --totp -b "$SECRET")" \
    --friendly-device-name bob-phone --query Status --output text
idp set-user-mfa-preference --access-token "$ACCESS" \
    --software-token-mfa-settings Enabled=true,PreferredMfa=true

# Sign in with TOTP. Each code works once, so wait for the next one.
SESSION=$(idp initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH \
    --auth-parameters USERNAME=bob,PASSWORD=Correct-Horse-9 --query Session --output text)
sleep $(( 31 - $(date +%s) % 30 ))
idp respond-to-auth-challenge --client-id "$CLIENT" --challenge-name SOFTWARE_TOKEN_MFA --session "$SESSION" \
    --challenge-responses USERNAME=bob,SOFTWARE_TOKEN_MFA_CODE="$(oathtool --totp -b "$SECRET")" \
    --query AuthenticationResult.TokenType --output text

# Reset the authenticator. AWS CLI v1 (1.46) has no admin-delete-software-token yet: use boto3 for it,
# the project's own (a system python3 may carry the older botocore the AWS CLI pins, which lacks it too).
"$(dirname "$0")/../.venv/bin/python" -c "import boto3,sys; boto3.client('cognito-idp', endpoint_url=sys.argv[1]).admin_delete_software_token(UserPoolId=sys.argv[2], Username='bob')" "$EP" "$POOL"
idp admin-user-global-sign-out --user-pool-id "$POOL" --username bob
idp admin-get-user --user-pool-id "$POOL" --username bob --query '[Username, UserStatus, UserMFASettingList]' --output text
