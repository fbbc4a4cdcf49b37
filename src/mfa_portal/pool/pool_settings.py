"""A user pool's stored settings: Cognito's defaults, normalisation and cross-field rules.

``build_settings`` turns a CreateUserPool/UpdateUserPool request into the ``UserPoolType``
fields the pool keeps, filling what the request omits with Cognito's defaults (UpdateUserPool
resets omitted fields too, spec §2.1). ``check_settings`` applies the rules that involve more
than one field; the shapes themselves were validated at dispatch.
"""

from __future__ import annotations

import copy
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.cognito_api.errors import CognitoError

TIERS_WITH_EMAIL_MFA = ("ESSENTIALS", "PLUS")
OTP_FIRST_FACTORS = ("EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")

# Fields CreateUserPool sets that UpdateUserPool cannot change (spec §10).
IMMUTABLE = ("AliasAttributes", "UsernameAttributes", "UsernameConfiguration", "SchemaAttributes")

# Lambda triggers that can deny or reshape authentication. Ignoring one would let in someone the
# real pool keeps out, so the embedded pool refuses them instead of storing them.
GATING_TRIGGERS = (
    "PreSignUp",
    "PreAuthentication",
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
    "PreTokenGeneration",
    "PreTokenGenerationConfig",
    "UserMigration",
)

# Request members kept as given (stored and echoed, not acted on unless another module reads them).
_PASS_THROUGH = (
    "AutoVerifiedAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "SmsAuthenticationMessage",
    "DeviceConfiguration",
    "SmsConfiguration",
    "AccountRecoverySetting",
    "KeyConfiguration",
    "IssuerConfiguration",
    "AcrConfiguration",
    "DcrConfiguration",
)

_STANDARD_STRINGS = (
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "address",
    "identities",
)


def _attr(
    name: str,
    kind: str = "String",
    *,
    mutable: bool = True,
    required: bool = False,
    min_len: str = "0",
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Name": name,
        "AttributeDataType": kind,
        "DeveloperOnlyAttribute": False,
        "Mutable": mutable,
        "Required": required,
    }
    if kind == "String":
        item["StringAttributeConstraints"] = {"MinLength": min_len, "MaxLength": "2048"}
    elif kind == "Number":
        item["NumberAttributeConstraints"] = {"MinValue": "0"}
    return item


def standard_schema() -> list[dict[str, Any]]:
    """The standard attributes every Cognito pool describes, ``sub`` first."""
    attrs = [_attr("sub", mutable=False, required=True, min_len="1")]
    attrs += [_attr(name) for name in _STANDARD_STRINGS]
    attrs += [
        _attr("email_verified", "Boolean"),
        _attr("phone_number_verified", "Boolean"),
        _attr("updated_at", "Number"),
    ]
    return attrs


def schema_attributes(schema: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Standard attributes with the request's overrides, then its ``custom:`` attributes."""
    attrs = standard_schema()
    by_name = {a["Name"]: a for a in attrs}
    for item in schema or []:
        name = str(item.get("Name", ""))
        if name in by_name:
            standard = by_name[name]
            kind = item.get("AttributeDataType")
            if item.get("DeveloperOnlyAttribute") or (
                kind and kind != standard["AttributeDataType"]
            ):
                raise errors.InvalidParameterException(messages.standard_attribute_change(name))
            for key in (
                "Mutable",
                "Required",
                "StringAttributeConstraints",
                "NumberAttributeConstraints",
            ):
                if key in item:
                    standard[key] = copy.deepcopy(item[key])
            continue
        if not item.get("AttributeDataType"):
            raise errors.InvalidParameterException(messages.INVALID_ATTRIBUTE_DATA_TYPE)
        if item.get("Required"):
            raise errors.InvalidParameterException(messages.REQUIRED_CUSTOM_ATTRIBUTE)
        full = ("dev:custom:" if item.get("DeveloperOnlyAttribute") else "custom:") + name
        if full in by_name:
            raise errors.InvalidParameterException(messages.attribute_exists(full))
        custom = {
            "Name": full,
            "AttributeDataType": item["AttributeDataType"],
            "DeveloperOnlyAttribute": bool(item.get("DeveloperOnlyAttribute", False)),
            "Mutable": bool(item.get("Mutable", True)),
            "Required": False,
        }
        for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
            if key in item:
                custom[key] = copy.deepcopy(item[key])
        by_name[full] = custom
        attrs.append(custom)
    return attrs


def password_policy(given: dict[str, Any] | None) -> dict[str, Any]:
    """Cognito's default policy when none is given; otherwise omitted booleans are false."""
    if given is None:
        return {
            "MinimumLength": 8,
            "RequireUppercase": True,
            "RequireLowercase": True,
            "RequireNumbers": True,
            "RequireSymbols": True,
            "TemporaryPasswordValidityDays": 7,
        }
    policy = {
        "MinimumLength": 8,
        "RequireUppercase": False,
        "RequireLowercase": False,
        "RequireNumbers": False,
        "RequireSymbols": False,
        "TemporaryPasswordValidityDays": 7,
    }
    policy.update(given)
    return policy


def _policies(params: dict[str, Any]) -> dict[str, Any]:
    given = params.get("Policies") or {}
    policy = password_policy(given.get("PasswordPolicy"))
    unused = (params.get("AdminCreateUserConfig") or {}).get("UnusedAccountValidityDays")
    if unused is not None:
        explicit = (given.get("PasswordPolicy") or {}).get("TemporaryPasswordValidityDays")
        if explicit is not None and explicit != unused:
            raise errors.InvalidParameterException(messages.USE_TEMPORARY_PASSWORD_VALIDITY)
        policy["TemporaryPasswordValidityDays"] = unused
    sign_in = given.get("SignInPolicy") or {"AllowedFirstAuthFactors": ["PASSWORD"]}
    return {"PasswordPolicy": policy, "SignInPolicy": copy.deepcopy(sign_in)}


def _verification_template(params: dict[str, Any]) -> dict[str, Any]:
    """The template Cognito keeps in step with the older top-level message members."""
    template = copy.deepcopy(params.get("VerificationMessageTemplate") or {})
    template.setdefault("DefaultEmailOption", "CONFIRM_WITH_CODE")
    for old, new in (
        ("SmsVerificationMessage", "SmsMessage"),
        ("EmailVerificationMessage", "EmailMessage"),
        ("EmailVerificationSubject", "EmailSubject"),
    ):
        if old in params:
            template.setdefault(new, params[old])
    return template


def build_settings(params: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The stored settings for a create (``base`` None) or an update of the settings ``base``."""
    settings: dict[str, Any] = {
        key: copy.deepcopy(params[key]) for key in _PASS_THROUGH if key in params
    }
    settings["Policies"] = _policies(params)
    settings["DeletionProtection"] = params.get("DeletionProtection", "INACTIVE")
    settings["LambdaConfig"] = copy.deepcopy(params.get("LambdaConfig") or {})
    settings["VerificationMessageTemplate"] = _verification_template(params)
    settings["UserAttributeUpdateSettings"] = copy.deepcopy(
        params.get("UserAttributeUpdateSettings")
        or {"AttributesRequireVerificationBeforeUpdate": []}
    )
    settings["EmailConfiguration"] = copy.deepcopy(
        params.get("EmailConfiguration") or {"EmailSendingAccount": "COGNITO_DEFAULT"}
    )
    settings["EmailConfiguration"].setdefault("EmailSendingAccount", "COGNITO_DEFAULT")
    settings["UserPoolTags"] = dict(params.get("UserPoolTags") or {})
    admin_create = {"AllowAdminCreateUserOnly": False}
    admin_create.update(copy.deepcopy(params.get("AdminCreateUserConfig") or {}))
    settings["AdminCreateUserConfig"] = admin_create
    settings["UserPoolAddOns"] = copy.deepcopy(
        params.get("UserPoolAddOns") or {"AdvancedSecurityMode": "OFF"}
    )
    settings["UserPoolTier"] = params.get("UserPoolTier", "ESSENTIALS")
    if base is None:
        for key in ("AliasAttributes", "UsernameAttributes"):
            if params.get(key):
                settings[key] = list(dict.fromkeys(params[key]))
        if "UsernameConfiguration" in params:
            settings["UsernameConfiguration"] = dict(params["UsernameConfiguration"])
        settings["SchemaAttributes"] = schema_attributes(params.get("Schema"))
    else:
        settings.update({key: copy.deepcopy(base[key]) for key in IMMUTABLE if key in base})
    return settings


def recovery_names(settings: dict[str, Any]) -> list[str]:
    mechanisms = (settings.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms") or []
    return [m["Name"] for m in sorted(mechanisms, key=lambda m: m["Priority"])]


def _check_recovery(settings: dict[str, Any]) -> None:
    mechanisms = (settings.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms")
    if mechanisms is None:
        return
    names = [m["Name"] for m in mechanisms]
    priorities = [m["Priority"] for m in mechanisms]
    if len(set(names)) != len(names) or len(set(priorities)) != len(priorities):
        raise errors.InvalidParameterException(messages.RECOVERY_NOT_DISTINCT)
    if "admin_only" in names and len(names) > 1:
        raise errors.InvalidParameterException(messages.RECOVERY_ADMIN_ONLY_ALONE)


def _check_unsupported(settings: dict[str, Any]) -> None:
    """Refuse security-relevant members the embedded pool would otherwise silently ignore."""
    gating = [name for name in GATING_TRIGGERS if settings.get("LambdaConfig", {}).get(name)]
    if gating:
        raise errors.InvalidParameterException(messages.triggers_not_supported(gating))
    add_ons = settings.get("UserPoolAddOns", {})
    custom_mode = add_ons.get("AdvancedSecurityAdditionalFlows", {}).get("CustomAuthMode")
    if add_ons.get("AdvancedSecurityMode") == "ENFORCED" or custom_mode == "ENFORCED":
        raise errors.InvalidParameterException(messages.ENFORCED_THREAT_PROTECTION)


def _check_tier(settings: dict[str, Any]) -> None:
    tier = settings["UserPoolTier"]
    if tier == "LITE" and settings["Policies"]["PasswordPolicy"].get("PasswordHistorySize"):
        raise errors.FeatureUnavailableInTierException(messages.PASSWORD_HISTORY_TIER)
    add_ons = settings.get("UserPoolAddOns", {})
    if tier != "PLUS" and add_ons.get("AdvancedSecurityMode", "OFF") != "OFF":
        raise errors.FeatureUnavailableInTierException(messages.THREAT_PROTECTION_TIER)


def mfa_problem(settings: dict[str, Any], mfa: dict[str, Any]) -> CognitoError | None:
    """The error the pool's MFA configuration breaks against its settings, if any (spec §2.2)."""
    level = mfa.get("MfaConfiguration", "OFF")
    recovery = recovery_names(settings)
    if "EmailMfaConfiguration" in mfa and level != "OFF":
        if settings["UserPoolTier"] not in TIERS_WITH_EMAIL_MFA:
            return errors.error(
                "FeatureUnavailableInTierException",
                messages.EMAIL_MFA_TIER,
            )
        if settings["EmailConfiguration"].get("EmailSendingAccount") != "DEVELOPER":
            return errors.error(
                "InvalidParameterException",
                messages.EMAIL_MFA_SENDER,
            )
        if recovery == ["verified_email"]:
            return errors.error(
                "InvalidParameterException",
                messages.EMAIL_MFA_EMAIL_RECOVERY,
            )
    if "SmsMfaConfiguration" in mfa and level == "ON" and "verified_phone_number" in recovery:
        return errors.error(
            "InvalidParameterException",
            messages.SMS_MFA_PHONE_RECOVERY,
        )
    factors = settings["Policies"].get("SignInPolicy", {}).get("AllowedFirstAuthFactors", [])
    if level == "ON" and any(f in OTP_FIRST_FACTORS for f in factors):
        return errors.error(
            "InvalidParameterException",
            messages.MFA_REQUIRED_WITH_OTP_SIGN_IN,
        )
    return None


def check_settings(settings: dict[str, Any], mfa: dict[str, Any]) -> None:
    """Raise the first cross-field rule the settings (with the pool's MFA) break."""
    if settings.get("AliasAttributes") and settings.get("UsernameAttributes"):
        raise errors.InvalidParameterException(messages.ALIAS_AND_USERNAME_ATTRIBUTES)
    _check_recovery(settings)
    _check_tier(settings)
    _check_unsupported(settings)
    problem = mfa_problem(settings, mfa)
    if problem is not None:
        raise problem
