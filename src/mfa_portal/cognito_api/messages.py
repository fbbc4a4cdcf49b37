"""The one catalog of Cognito message texts, and the predicates the portal recognises them by.

The embedded pool raises every error with a text from here, worded as Amazon Cognito words it, and the
portal decides what a person sees with the predicates at the end, which compare against these same
names (equality, or a prefix the catalog itself defines). Rewording a text here therefore changes the
pool and the portal together; no caller matches a substring of a sentence of its own. Texts marked
"recognised only" are ones Amazon Cognito sends and the embedded pool does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mfa_portal.cognito_api.errors import CognitoError

# --- sign-in --------------------------------------------------------------------------------------
WRONG_PASSWORD = "Incorrect username or password."
USER_DISABLED = "User is disabled."
PASSWORD_ATTEMPTS_EXCEEDED = "Password attempts exceeded"
USER_NOT_CONFIRMED = "User is not confirmed."
PASSWORD_RESET_REQUIRED = "Password reset required for the user"
TEMPORARY_PASSWORD_EXPIRED = "Temporary password has expired and must be reset by an administrator."
INITIATE_AUTH_NOT_SUPPORTED = "Initiate Auth method not supported."
USER_PASSWORD_AUTH_NOT_ENABLED = "USER_PASSWORD_AUTH flow not enabled for this client"
AUTH_FLOW_NOT_ENABLED = "Auth flow not enabled for this client"
NEW_PASSWORD_ATTRIBUTES_NOT_SUPPORTED = (
    "Setting attributes in a NEW_PASSWORD_REQUIRED response is not supported by the embedded "
    "user pool; use AdminUpdateUserAttributes."
)
ANSWER_NOT_OFFERED = "ANSWER must be one of the MFA types offered in MFAS_CAN_CHOOSE."
CODE_DELIVERY_FAILED = "Unable to deliver the code."

# --- challenge sessions ---------------------------------------------------------------------------
SESSION_INVALID = "Invalid session for the user."
SESSION_EXPIRED = "Invalid session for the user, session is expired."

# --- MFA codes and software tokens ----------------------------------------------------------------
MFA_CODE_MISMATCH = "Invalid code or auth state for the user."
SOFTWARE_TOKEN_MISSING = "Software Token MFA does not exist for the user."
SOFTWARE_TOKEN_NOT_ENABLED = "Software Token MFA has not been enabled by the userPool"
SOFTWARE_TOKEN_CODE_MISMATCH = "Code mismatch and fail enable Software Token MFA"
SOFTWARE_TOKEN_NOT_ASSOCIATED = (
    "No software token is awaiting verification; call AssociateSoftwareToken first."
)
SOFTWARE_TOKEN_NOT_REGISTERED = "User does not have a software token registration."
TOKEN_OR_SESSION = "Exactly one of AccessToken or Session must be provided."
NO_MFA_METHOD = "No MFA method is available for the user; an administrator must configure one."

# --- access and refresh tokens --------------------------------------------------------------------
ACCESS_TOKEN_INVALID = "Invalid Access Token"
ACCESS_TOKEN_EXPIRED = "Access Token has expired"
ACCESS_TOKEN_REVOKED = "Access Token has been revoked"
ACCESS_TOKEN_SCOPES = "Access Token does not have required scopes"  # recognised only
REFRESH_TOKEN_INVALID = "Invalid Refresh Token"
REFRESH_TOKEN_REVOKED = "Refresh Token has been revoked"
REFRESH_TOKEN_EXPIRED = "Refresh Token has expired"
REFRESH_TOKEN_OTHER_CLIENT = "Refresh Token has different Client"
REFRESH_TOKEN_REUSED = (
    "Refresh Token has been reused"  # RefreshTokenReuseException; UNCONFIRMED wording
)
TOKEN_TYPE_NOT_REVOCABLE = "The token type is not supported; only refresh tokens can be revoked."
REVOCATION_DISABLED = "Token revocation is not enabled for this client."
CLIENT_CANNOT_REVOKE = "The client is not authorized to revoke this token."

# --- users ----------------------------------------------------------------------------------------
USER_NOT_FOUND = "User does not exist."
USER_EXISTS = "User account already exists"
INVITATION_DELIVERY_FAILED = "Unable to deliver the invitation message."
SIGN_IN_ATTRIBUTE_REQUIRED = (
    "A user in this user pool must keep an email or phone number to sign in with."
)
USERNAME_EMAIL_OR_PHONE = "Username should be either an email or a phone number."
USERNAME_NOT_EMAIL = (
    "Username cannot be of email format, since user pool is configured for email alias."
)
USERNAME_NOT_PHONE = (
    "Username cannot be of phone number format, since user pool is configured for phone number "
    "alias."
)
INVALID_EMAIL = "Invalid email address format."
INVALID_PHONE = "Invalid phone number format."
SCHEMA_PREFIX = "Attributes did not conform to the schema: "

# --- account recovery -----------------------------------------------------------------------------
CONTACT_ADMIN = "Contact administrator to reset password."
NO_RECOVERY_DESTINATION = (
    "Cannot reset password for the user as there is no registered/verified email or phone_number"
)
NO_SELF_SERVICE_RECOVERY = (
    "Cannot reset password for the user as the user pool has no self-service account recovery "
    "configured (AccountRecoverySetting is admin_only)."
)
USERNAME_CLIENT_NOT_FOUND = "Username/client id combination not found."
CONFIRMATION_CODE_MISMATCH = "Invalid verification code provided, please try again."
CONFIRMATION_CODE_EXPIRED = "Invalid code provided, please request a code again."
ATTEMPT_LIMIT_EXCEEDED = "Attempt limit exceeded, please try after some time."

# --- password policy ------------------------------------------------------------------------------
POLICY_PREFIX = "Password did not conform with policy: "
POLICY_PREFIXES = (POLICY_PREFIX, "Password does not conform to policy: ")  # the second: SignUp
NOT_LONG_ENOUGH = "Password not long enough"
MUST_HAVE = "Password must have "
# Each rule's words after MUST_HAVE, and the rule the portal reports (Cognito names the first broken).
RULE_WORDS = {
    "uppercase characters": "uppercase",
    "lowercase characters": "lowercase",
    "numeric characters": "number",
    "symbol characters": "symbol",
}
PASSWORD_TOO_SHORT = POLICY_PREFIX + NOT_LONG_ENOUGH
PASSWORD_NEEDS_UPPERCASE = POLICY_PREFIX + MUST_HAVE + "uppercase characters"
PASSWORD_NEEDS_LOWERCASE = POLICY_PREFIX + MUST_HAVE + "lowercase characters"
PASSWORD_NEEDS_NUMBER = POLICY_PREFIX + MUST_HAVE + "numeric characters"
PASSWORD_NEEDS_SYMBOL = POLICY_PREFIX + MUST_HAVE + "symbol characters"
PASSWORD_FIELDS = frozenset(
    {"password", "proposedPassword", "previousPassword", "temporaryPassword"}
)
PASSWORD_PATTERN = "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$"

# --- MFA settings of users and pools --------------------------------------------------------------
ONE_PREFERRED = "Only one MFA method can be set as preferred."
REQUIRED_POOL_PREFERENCE = (
    "MFA methods cannot be disabled for users of a user pool where MFA is required; "
    "only the preferred method can be changed."
)
NO_WEBAUTHN = "WebAuthn MFA is not supported by the embedded user pool."
MFA_OFF_WITH_FACTOR = (
    "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
)
MFA_WITHOUT_FACTOR = (
    "Invalid MFA configuration given, can't disable all MFAs with a required or optional "
    "configuration."
)
SMS_MFA_STAYS = "Can't turn off SMS_MFA when SMS configuration is set for the user pool"
SMS_MFA_NEEDS_CONFIGURATION = "SmsConfiguration is required to turn on SMS_MFA."
SMS_REQUIRED_FOR_MFA = (
    "SMS configuration and Auto verification for phone_number are required when MFA is "
    "required/optional"
)
MFA_ON_AFTER_CREATION = "Cannot turn MFA functionality ON, once the user pool has been created."
PASSKEY_MFA_TIER = "Passkey MFA requires the ESSENTIALS or PLUS feature plan."
EMAIL_MFA_TIER = "Email MFA requires the ESSENTIALS or PLUS feature plan."
EMAIL_MFA_SENDER = "Email MFA requires EmailConfiguration with EmailSendingAccount DEVELOPER."
EMAIL_MFA_EMAIL_RECOVERY = (
    "Invalid account recovery setting parameter. Account Recovery Setting cannot use "
    "verified_email as the only recovery mechanism when email MFA is configured."
)
SMS_MFA_PHONE_RECOVERY = (
    "Invalid account recovery setting parameter. Account Recovery Setting cannot use "
    "verified_phone_number as a recovery mechanism when SMS MFA is configured."
)
MFA_REQUIRED_WITH_OTP_SIGN_IN = (
    "MFA cannot be required when AllowedFirstAuthFactors includes one-time passwords or passkeys."
)

# --- pool and client settings ---------------------------------------------------------------------
DELETION_PROTECTED = (
    "The user pool cannot be deleted because deletion protection is activated. "
    "Deletion protection must be inactivated first."
)
INVALID_ATTRIBUTE_DATA_TYPE = (
    "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
)
REQUIRED_CUSTOM_ATTRIBUTE = "Required custom attributes are not supported currently."
USE_TEMPORARY_PASSWORD_VALIDITY = "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays"
RECOVERY_NOT_DISTINCT = (
    "Invalid account recovery setting parameter. Recovery mechanisms must have distinct names "
    "and priorities."
)
RECOVERY_ADMIN_ONLY_ALONE = (
    "Invalid account recovery setting parameter. admin_only cannot be combined with another "
    "recovery mechanism."
)
ENFORCED_THREAT_PROTECTION = (
    "UserPoolAddOns ENFORCED threat protection is not supported by the embedded pool."
)
PASSWORD_HISTORY_TIER = "PasswordHistorySize requires the ESSENTIALS or PLUS feature plan."
THREAT_PROTECTION_TIER = "Threat protection requires the PLUS feature plan."
ALIAS_AND_USERNAME_ATTRIBUTES = (
    "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
)
INVALID_TOKEN_VALIDITY = "Invalid range for token validity."
MIXED_AUTH_FLOWS = (
    "ExplicitAuthFlows cannot combine the legacy values ADMIN_NO_SRP_AUTH, "
    "CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH with ALLOW_ values."
)
ROTATION_NEEDS_GET_TOKENS = (
    "Refresh token rotation is enabled for this client: refresh with GetTokensFromRefreshToken."
)
REFRESH_NOT_ENABLED = "Refresh token auth flow not enabled for this client"
BAD_SRP_A = "SRP_A is not a valid SRP public value."
OAUTH_FLOWS_REQUIRED = "AllowedOAuthFlows must be set when AllowedOAuthFlowsUserPoolClient is true."
CLIENT_SECRET_WITHOUT_GENERATE = "ClientSecret can only be given when GenerateSecret is true."

# --- lists, groups, filters -----------------------------------------------------------------------
INVALID_PAGINATION_TOKEN = "Invalid pagination token."
UNKNOWN_REQUESTED_ATTRIBUTES = "One or more requested attributes do not exist."
FILTER_PARSE_ERROR = "Error while parsing filter."
GROUP_EXISTS = "A group with the name already exists."
GROUP_NOT_FOUND = "Group not found."

# --- the JSON 1.1 protocol and SigV4 --------------------------------------------------------------
BODY_TOO_DEEP = "The request body is nested too deeply."
BODY_NOT_JSON = "The request body is not valid JSON."
BODY_NOT_OBJECT = "The request body must be a JSON object."
BODY_NOT_UNICODE = (
    "The request body holds a string that is not valid Unicode (a lone surrogate escape)."
)
BODY_NOT_UNICODE = (
    "The request body holds a string that is not valid Unicode (a lone surrogate escape)."
)
INTERNAL_ERROR = "An internal error occurred."
MISSING_AUTHENTICATION_TOKEN = "Missing Authentication Token"
CREDENTIAL_FORM = "Credential must have the form AKID/YYYYMMDD/region/cognito-idp/aws4_request."
AMZ_DATE_FORMAT = "X-Amz-Date must be in ISO-8601 basic format (YYYYMMDD'T'HHMMSS'Z')."
DATE_REQUIRED = (
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
)
DATE_HEADER_INVALID = "Date header is not a valid HTTP date."
SECURITY_TOKEN_INVALID = "The security token included in the request is invalid."
CONTENT_SHA256_MISMATCH = (
    "The provided 'x-amz-content-sha256' header does not match what was computed."
)
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)


# --- sign-up and self-service attributes ---------------------------------------------------------
SIGN_UP_NOT_PERMITTED = "SignUp is not permitted for this user pool"
USER_ALREADY_EXISTS = "User already exists"
UNAUTHORIZED_ATTRIBUTE_WRITE = "A client attempted to write unauthorized attribute"
CONFIRM_NOT_UNCONFIRMED = "User cannot confirm because user status is not UNCONFIRMED."
USER_ALREADY_CONFIRMED = "User is already confirmed."
NO_AUTO_VERIFICATION = "Auto verification not turned on."
SIGN_UP_PASSWORD_REQUIRED = (
    "The embedded user pool requires a Password at SignUp (no passwordless sign-up)."
)
ONLY_EMAIL_VERIFIABLE = (
    "Only the email attribute can be verified (the embedded user pool sends no SMS)."
)
NO_EMAIL_TO_VERIFY = "There is no email address to verify."


def username_attribute_mismatch(attribute: str) -> str:
    return f"The {attribute} attribute must match the username in this user pool."


# --- parameterised texts --------------------------------------------------------------------------
def missing_parameter(name: str) -> str:
    return f"Missing required parameter {name}"


def flow_not_supported(flow: str) -> str:
    return (
        f"{flow} is not supported by the embedded user pool; use USER_SRP_AUTH, "
        "USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH (see docs/compatibility.md)."
    )


def flow_not_enabled(flow: str) -> str:
    """Cognito names USER_PASSWORD_AUTH; every other flow gets the generic text."""
    return USER_PASSWORD_AUTH_NOT_ENABLED if flow == "USER_PASSWORD_AUTH" else AUTH_FLOW_NOT_ENABLED


def not_supported(name: str) -> str:
    """An operation or challenge the embedded pool does not implement."""
    return f"{name} is not supported by the embedded user pool (see docs/compatibility.md)."


def secret_not_received(client_id: str) -> str:
    return f"Client {client_id} is configured for secret but secret was not received"


def secret_hash_mismatch(client_id: str) -> str:
    return f"Unable to verify secret hash for client {client_id}"


def client_secret_mismatch(client_id: str) -> str:
    return f"Unable to verify secret for client {client_id}"


def pool_not_found(pool_id: str) -> str:
    return f"User pool {pool_id} does not exist."


def client_not_found(client_id: str) -> str:
    return f"User pool client {client_id} does not exist."


def resend_refused(status: str) -> str:
    return f"Resend not possible. User status is {status}."


def alias_exists(attribute: str) -> str:
    return f"An account with the {attribute} already exists."


def schema_immutable(name: str) -> str:
    return f"{SCHEMA_PREFIX}{name}: Attribute cannot be updated. (changing an immutable attribute)"


def schema_unknown(name: str) -> str:
    return f"{SCHEMA_PREFIX}{name}: Attribute does not exist in the schema."


def schema_required(name: str) -> str:
    return f"{SCHEMA_PREFIX}{name}: The attribute is required"


def schema_nul(name: str) -> str:
    return f"{SCHEMA_PREFIX}{name}: Attribute value must not contain a NUL character."


def schema_boolean(name: str) -> str:
    return f"{SCHEMA_PREFIX}{name}: Attribute value must be true or false."


def standard_attribute_change(name: str) -> str:
    return (
        "You can not change AttributeDataType or set developerOnlyAttribute for "
        f"standard schema attribute {name}"
    )


def attribute_exists(name: str) -> str:
    return f"{name}: Existing attribute already has name {name}."


def triggers_not_supported(triggers: Iterable[str]) -> str:
    return (
        f"LambdaConfig {', '.join(triggers)} is not supported by the embedded pool: its triggers "
        "never run, so it would not enforce what the trigger decides."
    )


_NO_DELIVERY_CONFIG = "User does not have delivery config set to turn on "
PATTERN_RULE = "Member must satisfy regular expression pattern"
LENGTH_RULE = "Member must have length"


def no_delivery_config(factor: str) -> str:
    return f"{_NO_DELIVERY_CONFIG}{factor}"


def preferred_disabled(factor: str) -> str:
    return f"{factor} cannot be the preferred MFA method while it is disabled."


def invalid_search_attribute(name: str, searchable: Iterable[str]) -> str:
    return f"Invalid search attribute: {name}. Searchable attributes are: {', '.join(searchable)}."


_VALIDATION = re.compile(r"\d+ validation errors? detected: ")
_VALUE_AT = re.compile(r"Value at '([^']+)'")


MAX_LISTED_PROBLEMS = 10


def validation_errors(problems: list[str]) -> str:
    """AWS's summary of failed input constraints, e.g. "1 validation error detected: Value at …".

    Names the first ``MAX_LISTED_PROBLEMS`` and counts the rest, so a hostile request with
    thousands of faults gets a short answer, not one as large as itself."""
    plural = "s" if len(problems) > 1 else ""
    listed = "; ".join(problems[:MAX_LISTED_PROBLEMS])
    hidden = len(problems) - MAX_LISTED_PROBLEMS
    more = f"; and {hidden} more" if hidden > 0 else ""
    return f"{len(problems)} validation error{plural} detected: {listed}{more}"


def constraint(field: str, rule: str) -> str:
    """One failed constraint on a request member, worded as AWS's input validation words it."""
    return f"Value at '{field}' failed to satisfy constraint: {rule}"


def failed_constraint(field: str, rule: str) -> str:
    """The whole message for one failed constraint, e.g. on a password's length."""
    return validation_errors([constraint(field, rule)])


def max_length(limit: int) -> str:
    return f"Member must have length less than or equal to {limit}"


def unknown_operation(name: str) -> str:
    return f"Unknown operation {name}."


def malformed_target(prefix: str) -> str:
    return f"Missing or malformed X-Amz-Target header; expected {prefix}<Operation>."


def unsupported_content_type(content_type: str) -> str:
    return f"Unsupported Content-Type; send {content_type}."


def body_too_large(limit: int) -> str:
    return f"The request body is larger than {limit} bytes."


def signature_required(operation: str) -> str:
    return f"{operation} requires a request signed with AWS Signature Version 4."


def unsupported_algorithm(algorithm: str) -> str:
    return f"Unsupported AWS 'algorithm'; use {algorithm}."


def authorization_parameter(name: str) -> str:
    return f"Authorization header requires '{name}' parameter."


def signature_expired(stamp: str, limit: str, now: str) -> str:
    return f"Signature expired: {stamp} is now earlier than {limit} ({now} - 5 min.)"


def signature_not_yet_current(stamp: str, limit: str, now: str) -> str:
    return f"Signature not yet current: {stamp} is still later than {limit} ({now} + 5 min.)"


def credential_service(service: str) -> str:
    return f"Credential should be scoped to correct service: '{service}'."


def credential_terminator(terminator: str) -> str:
    return f"Credential should be scoped with a valid terminator: '{terminator}'."


def scope_date_mismatch(scope_date: str, stamp_date: str) -> str:
    return (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
        f"from HTTP: '{scope_date}' != '{stamp_date}'."
    )


def header_not_signed(name: str) -> str:
    return f"'{name}' must be a SignedHeader in the AWS Authorization."


# --- what the portal recognises -------------------------------------------------------------------
_SESSION_TEXTS = frozenset({SESSION_INVALID, SESSION_EXPIRED})
_TOKEN_TEXTS = frozenset(
    {
        ACCESS_TOKEN_INVALID,
        ACCESS_TOKEN_EXPIRED,
        ACCESS_TOKEN_REVOKED,
        ACCESS_TOKEN_SCOPES,
        REFRESH_TOKEN_INVALID,
        REFRESH_TOKEN_REVOKED,
        REFRESH_TOKEN_EXPIRED,
        REFRESH_TOKEN_OTHER_CLIENT,
    }
)


def _not_authorized(exc: CognitoError, texts: frozenset[str]) -> bool:
    return exc.code == "NotAuthorizedException" and exc.message in texts


def is_session_problem(exc: CognitoError) -> bool:
    """The challenge Session expired, was spent, or is unknown: the flow must start again."""
    return _not_authorized(exc, _SESSION_TEXTS)


def is_session_expired(exc: CognitoError) -> bool:
    """The challenge Session ran out of time (as opposed to spent or unknown)."""
    return _not_authorized(exc, frozenset({SESSION_EXPIRED}))


def is_flow_not_enabled(exc: CognitoError) -> bool:
    """The app client does not allow the auth flow that was asked for."""
    return exc.code == "InvalidParameterException" and exc.message in (
        AUTH_FLOW_NOT_ENABLED,
        USER_PASSWORD_AUTH_NOT_ENABLED,
    )


ADDRESS_LIMITED = "Too many failed sign-ins came from this address. Try again later."


def needs_get_tokens(exc: CognitoError) -> bool:
    """A client with refresh-token rotation refused REFRESH_TOKEN_AUTH."""
    return exc.code == "InvalidParameterException" and exc.message == ROTATION_NEEDS_GET_TOKENS


def is_lockout(exc: CognitoError) -> bool:
    """Too many wrong passwords or codes: the user is locked out for a while."""
    return _not_authorized(exc, frozenset({PASSWORD_ATTEMPTS_EXCEEDED}))


def is_token_problem(exc: CognitoError) -> bool:
    """The access or refresh token is invalid, expired or revoked: the portal session is over."""
    return _not_authorized(exc, _TOKEN_TEXTS)


def is_user_disabled(exc: CognitoError) -> bool:
    return _not_authorized(exc, frozenset({USER_DISABLED}))


def is_temporary_password_expired(exc: CognitoError) -> bool:
    return _not_authorized(exc, frozenset({TEMPORARY_PASSWORD_EXPIRED}))


def broken_password_rules(exc: CognitoError) -> list[str]:
    """The policy rules an InvalidPasswordException names (``length``, ``uppercase``, …); [] if unknown.

    Read with the catalog's own grammar: a policy prefix, then "Password not long enough" or
    "Password must have " and rule words joined by "and" (Cognito names one; a list is accepted).
    """
    if exc.code != "InvalidPasswordException":
        return []
    rest = next(
        (exc.message.removeprefix(p) for p in POLICY_PREFIXES if exc.message.startswith(p)), None
    )
    if rest == NOT_LONG_ENOUGH:
        return ["length"]
    if rest is None or not rest.startswith(MUST_HAVE):
        return []
    words = re.split(r",\s*(?:and\s+)?|\s+and\s+", rest.removeprefix(MUST_HAVE))
    rules = [RULE_WORDS.get(w.strip()) for w in words]
    return [r for r in rules if r is not None] if None not in rules else []


def is_password_constraint(exc: CognitoError) -> bool:
    """An InvalidParameterException from input validation of a password member (length, spaces)."""
    if exc.code != "InvalidParameterException" or not _VALIDATION.match(exc.message):
        return False
    return any(field in PASSWORD_FIELDS for field in _VALUE_AT.findall(exc.message))


def missing_delivery_config(code: str, message: str) -> str | None:
    """The factor (``SOFTWARE_TOKEN_MFA``, ``EMAIL_OTP``, ``SMS_MFA``) a user lacks the means for."""
    if code != "InvalidParameterException" or not message.startswith(_NO_DELIVERY_CONFIG):
        return None
    return message.removeprefix(_NO_DELIVERY_CONFIG).strip() or None


def is_filter_parse_error(code: str, message: str) -> bool:
    """ListUsers could not read its Filter."""
    return code == "InvalidParameterException" and message == FILTER_PARSE_ERROR


_FAILED_MEMBER = re.compile(
    r"Value (?:'(?:[^']|'(?! at '))*' )?at '([^']+)' failed to satisfy constraint: ([^;]+)"
)


def failed_members(code: str, message: str) -> list[tuple[str, str]]:
    """The request members that failed input validation, with their rule: ``[("username", …)]``."""
    if code != "InvalidParameterException" or not _VALIDATION.match(message):
        return []
    return [(m.group(1), m.group(2).strip()) for m in _FAILED_MEMBER.finditer(message)]
