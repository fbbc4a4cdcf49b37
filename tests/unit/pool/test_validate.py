"""Input validation against botocore's model: AWS-style messages that name the field, never a secret."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api import errors
from mfa_portal.cognito_api.service_model import service_model
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.validate import (
    MAX_ATTRIBUTES,
    MAX_CLIENT_METADATA,
    MAX_SIGN_IN_PARAMETERS,
    MAX_TOKEN_CHARS,
    validate_input,
)
from tests.support.shapes import assert_output_shape

POOL = "us-east-1_abcDEF123"
CLIENT = "a" * 26


def problem(operation: str, params: Any) -> errors.CognitoError:
    with pytest.raises(errors.CognitoError) as caught:
        validate_input(operation, params)
    return caught.value


def invalid(operation: str, params: Any) -> str:
    err = problem(operation, params)
    assert isinstance(err, errors.InvalidParameterException)
    assert err.status == 400
    return str(err.message)


# --- required members, types, unknown members -------------------------------------------------


def test_valid_input_passes() -> None:
    validate_input("AdminGetUser", {"UserPoolId": POOL, "Username": "alice"})


def test_missing_required_member_is_named_in_aws_wording() -> None:
    message = invalid("AdminGetUser", {"UserPoolId": POOL})
    assert message == (
        "1 validation error detected: Value null at 'username' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_explicit_null_counts_as_missing() -> None:
    assert "Value null at 'userPoolId'" in invalid(
        "AdminGetUser", {"UserPoolId": None, "Username": "alice"}
    )


def test_several_problems_use_the_plural_and_list_each() -> None:
    message = invalid("AdminGetUser", {})
    assert message.startswith("2 validation errors detected: ")
    assert "at 'userPoolId'" in message and "at 'username'" in message
    assert message.count("; ") == 1


def test_unknown_member_is_refused() -> None:
    message = invalid("AdminGetUser", {"UserPoolId": POOL, "Username": "a", "Bogus": 1})
    assert message == "1 validation error detected: Unknown parameter 'bogus'"


def test_operation_without_input_members_refuses_any() -> None:
    # Every cognito-idp operation has an input shape; an empty one still refuses unknown members.
    validate_input("ListUserPools", {"MaxResults": 10})
    assert "Unknown parameter 'bogus'" in invalid("ListUserPools", {"MaxResults": 10, "Bogus": 1})


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_non_object_body_is_a_serialization_error(body: Any) -> None:
    err = problem("AdminGetUser", body)
    assert err.code == "SerializationException"
    assert err.status == 400


@pytest.mark.parametrize(
    ("params", "wording"),
    [
        ({"Limit": "10"}, "Value at 'limit' must be an integer"),
        ({"Limit": True}, "Value at 'limit' must be an integer"),
        ({"Limit": 1.5}, "Value at 'limit' must be an integer"),
        ({"Filter": 3}, "Value at 'filter' must be a string"),
        ({"AttributesToGet": "email"}, "Value at 'attributesToGet' must be a list"),
    ],
)
def test_wrong_types_name_the_field(params: dict[str, Any], wording: str) -> None:
    assert wording in invalid("ListUsers", {"UserPoolId": POOL, **params})


def test_boolean_must_be_a_boolean() -> None:
    message = invalid(
        "AdminCreateUser", {"UserPoolId": POOL, "Username": "a", "ForceAliasCreation": "true"}
    )
    assert "Value at 'forceAliasCreation' must be a boolean" in message
    validate_input(
        "AdminCreateUser", {"UserPoolId": POOL, "Username": "a", "ForceAliasCreation": False}
    )


# --- nested structures, lists, maps -----------------------------------------------------------


def test_nested_list_member_paths_follow_aws() -> None:
    message = invalid(
        "AdminCreateUser",
        {
            "UserPoolId": POOL,
            "Username": "a",
            "UserAttributes": [{"Name": "email"}, {"Value": "x"}],
        },
    )
    assert message == (
        "1 validation error detected: Value null at 'userAttributes.2.member.name' failed to "
        "satisfy constraint: Member must not be null"
    )


def test_list_item_of_wrong_kind() -> None:
    message = invalid(
        "AdminCreateUser", {"UserPoolId": POOL, "Username": "a", "UserAttributes": ["email"]}
    )
    assert "Value at 'userAttributes.1.member' must be an object" in message


def test_nested_structure_member_is_checked() -> None:
    message = invalid(
        "SetUserMFAPreference",
        {"AccessToken": "x" * 30, "SoftwareTokenMfaSettings": {"Enabled": "yes"}},
    )
    assert "Value at 'softwareTokenMfaSettings.enabled' must be a boolean" in message


def test_nested_structure_must_be_an_object() -> None:
    message = invalid(
        "SetUserMFAPreference", {"AccessToken": "x" * 30, "SoftwareTokenMfaSettings": 1}
    )
    assert "Value at 'softwareTokenMfaSettings' must be an object" in message


def test_map_must_be_an_object_and_its_values_are_checked() -> None:
    base = {"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH"}
    assert "Value at 'authParameters' must be a map" in invalid(
        "InitiateAuth", {**base, "AuthParameters": ["USERNAME"]}
    )
    assert "Value at 'authParameters.USERNAME' must be a string" in invalid(
        "InitiateAuth", {**base, "AuthParameters": {"USERNAME": 5}}
    )


# --- strings: length, patterns, enums ---------------------------------------------------------


def test_string_pattern_names_the_pattern() -> None:
    message = invalid("AdminGetUser", {"UserPoolId": "nounderscore", "Username": "a"})
    assert message == (
        "1 validation error detected: Value 'nounderscore' at 'userPoolId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    )


def test_string_length_min_and_max() -> None:
    assert "Member must have length greater than or equal to 1" in invalid(
        "AdminGetUser", {"UserPoolId": POOL, "Username": ""}
    )
    assert "Member must have length less than or equal to 55" in invalid(
        "AdminGetUser", {"UserPoolId": "us-east-1_" + "a" * 60, "Username": "a"}
    )


def test_long_values_are_shortened_in_messages() -> None:
    message = invalid("AdminGetUser", {"UserPoolId": "us-east-1_" + "b" * 200, "Username": "a"})
    assert "b" * 100 not in message
    assert "..." in message


@pytest.mark.parametrize("name", ["élodie", "名前", "o'brien", "ünïcødé+tag@example.com"])
def test_unicode_letter_patterns_accept_letters(name: str) -> None:
    # UsernameType's pattern is [\p{L}\p{M}\p{S}\p{N}\p{P}]+ : needs the `regex` module, not `re`.
    validate_input("AdminGetUser", {"UserPoolId": POOL, "Username": name})


@pytest.mark.parametrize("name", ["with space", "tab\there", "new\nline"])
def test_unicode_letter_patterns_refuse_whitespace(name: str) -> None:
    message = invalid("AdminGetUser", {"UserPoolId": POOL, "Username": name})
    assert "at 'username' failed to satisfy constraint: Member must satisfy regular expression" in (
        message
    )


def test_enum_lists_the_allowed_values() -> None:
    message = invalid("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "MAGIC"})
    assert message.startswith(
        "1 validation error detected: Value 'MAGIC' at 'authFlow' failed to satisfy constraint: "
        "Member must satisfy enum value set: ["
    )
    assert "USER_PASSWORD_AUTH" in message


# --- integers ---------------------------------------------------------------------------------


def test_integer_range() -> None:
    too_big = invalid("ListUsers", {"UserPoolId": POOL, "Limit": 61})
    assert too_big == (
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 60"
    )
    too_small = invalid("ListUsers", {"UserPoolId": POOL, "Limit": -1})
    assert "Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater" in (
        too_small
    )
    validate_input("ListUsers", {"UserPoolId": POOL, "Limit": 60})


# --- secrets are never echoed -----------------------------------------------------------------

SECRET = "Hunter2-very-secret"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        # leading space: PasswordType's pattern fails
        ("AdminSetUserPassword", {"UserPoolId": POOL, "Username": "a", "Password": " " + SECRET}),
        # too long
        ("AdminSetUserPassword", {"UserPoolId": POOL, "Username": "a", "Password": SECRET * 20}),
        (
            "AdminCreateUser",
            {"UserPoolId": POOL, "Username": "a", "TemporaryPassword": SECRET + " "},
        ),
        (
            "ChangePassword",
            {
                "PreviousPassword": SECRET + " ",
                "ProposedPassword": " " + SECRET,
                "AccessToken": "x" * 30,
            },
        ),
        ("VerifySoftwareToken", {"AccessToken": SECRET, "UserCode": SECRET}),
        (
            "RespondToAuthChallenge",
            {"ClientId": CLIENT, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": SECRET[:10]},
        ),
        ("GetUser", {"AccessToken": SECRET + "\n"}),
        (
            "InitiateAuth",
            {
                "ClientId": CLIENT,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "a", "PASSWORD": 7, "SECRET_HASH": SECRET},
                "Bogus": 1,
            },
        ),
        ("RevokeToken", {"ClientId": CLIENT, "Token": SECRET + " ", "ClientSecret": " " + SECRET}),
    ],
)
def test_sensitive_values_are_never_echoed(operation: str, params: dict[str, Any]) -> None:
    message = invalid(operation, params)
    assert SECRET not in message
    assert SECRET[:8] not in message


def _sensitive_string_members() -> list[tuple[str, str]]:
    model = service_model()
    found = []
    for operation in model.operation_names:
        shape = model.operation_model(operation).input_shape
        for name, member in shape.members.items() if shape is not None else ():
            if member.type_name == "string" and member.metadata.get("sensitive"):
                found.append((operation, name))
    return found


def test_no_sensitive_member_of_any_operation_is_echoed() -> None:
    """Every string the model marks sensitive, in every operation, with values that fail validation."""
    members = _sensitive_string_members()
    assert len(members) > 50
    refused = 0
    for operation, name in members:
        for value in (f" {SECRET} ", SECRET * 300, f"{SECRET}\n"):
            try:
                validate_input(operation, {name: value})
            except errors.CognitoError as err:
                refused += 1
                assert SECRET not in err.message, (operation, name)
    assert refused > 100


def test_password_override_pattern_allows_inner_spaces() -> None:
    validate_input(
        "AdminSetUserPassword",
        {"UserPoolId": POOL, "Username": "a", "Password": "Correct horse battery 9!"},
    )


@pytest.mark.parametrize("password", [" Leading-1", "Trailing-1 ", "\tTabbed-1", "x"])
def test_password_override_pattern_refuses_edge_whitespace(password: str) -> None:
    message = invalid(
        "AdminSetUserPassword", {"UserPoolId": POOL, "Username": "a", "Password": password}
    )
    assert message == (
        "1 validation error detected: Value '***' at 'password' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$"
    )


# --- linear stand-ins for the model's backtracking patterns agree with them -------------------

_ORIGINAL = {
    "PasswordType": r"^[\S]+.*[\S]+$",
    "EmailAddressType": service_model().shape_for("EmailAddressType").metadata["pattern"],
    "EmailVerificationMessageByLinkType": service_model()
    .shape_for("EmailVerificationMessageByLinkType")
    .metadata["pattern"],
}
_TRICKY = st.text(alphabet=st.sampled_from(list("a@{#} \n\t*\x00é")), max_size=12)


@settings(database=None, max_examples=3000, deadline=None)
@given(text=_TRICKY)
def test_linear_patterns_match_exactly_what_the_model_patterns_match(text: str) -> None:
    import regex

    from mfa_portal.pool.validate import _LINEAR

    assert set(_LINEAR) == set(_ORIGINAL)
    for name, original in _ORIGINAL.items():
        expected = regex.fullmatch(original, text) is not None
        assert (regex.fullmatch(_LINEAR[name], text) is not None) == expected, (name, text)


# --- property: any JSON-ish input is a 400 or a success, and a failure changes nothing ---------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)

USERNAMES = st.sampled_from(["alice", "alice", "ALICE", "bob", "alice@example.com", "", "x" * 200])
PASSWORDS = st.sampled_from(
    ["Correct-Horse-9!", "Correct-Horse-9!", "wrong", " Spaced-9! ", "Another-Pass-1!"]
)


class Fuzz:
    """A pool, a client and one user on an engine that lives for the whole property run."""

    def __init__(self, data_dir: Path) -> None:
        self.clock = FakeClock(1_800_000_015.0)
        self.engine = Engine(
            data_dir, clock=self.clock, hasher=PasswordHasher(memory_kib=256, time_cost=1)
        )
        admin = self.admin
        self.pool_id = admin("CreateUserPool", PoolName="fuzz")["UserPool"]["Id"]
        admin(
            "SetUserPoolMfaConfig",
            UserPoolId=self.pool_id,
            MfaConfiguration="OPTIONAL",
            SoftwareTokenMfaConfiguration={"Enabled": True},
        )
        self.client_id = admin(
            "CreateUserPoolClient",
            UserPoolId=self.pool_id,
            ClientName="c",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        )["UserPoolClient"]["ClientId"]
        admin(
            "AdminCreateUser", UserPoolId=self.pool_id, Username="alice", MessageAction="SUPPRESS"
        )
        admin(
            "AdminSetUserPassword",
            UserPoolId=self.pool_id,
            Username="alice",
            Password="Correct-Horse-9!",
            Permanent=True,
        )
        signed_in = self.engine.call(
            "InitiateAuth",
            {
                "ClientId": self.client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Correct-Horse-9!"},
            },
        )
        self.access = str(signed_in["AuthenticationResult"]["AccessToken"])

    def admin(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, params, iam_principal="test")

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        conn = sqlite3.connect(self.engine.db.path)
        try:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return {
                t: sorted(map(tuple, conn.execute(f"SELECT * FROM {t}")), key=repr) for t in tables
            }
        finally:
            conn.close()


@pytest.fixture(scope="module")
def fuzz() -> Iterator[Fuzz]:
    with tempfile.TemporaryDirectory() as tmp:
        world = Fuzz(Path(tmp) / "pool")
        yield world
        world.engine.db.close()


def _params(draw: st.DrawFn, world: Fuzz, operation: str) -> Any:
    """Mostly well-formed requests (so handlers run), salted with arbitrary JSON anywhere."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    pool = draw(st.sampled_from([world.pool_id] * 4 + ["us-east-1_nope", "bad"]))
    client = draw(st.sampled_from([world.client_id] * 4 + ["b" * 26]))
    user, password = draw(USERNAMES), draw(PASSWORDS)
    base: dict[str, Any] = {
        "AdminCreateUser": {
            "UserPoolId": pool,
            "Username": user,
            "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "email", "Value": "a@example.com"}],
        },
        "AdminSetUserPassword": {
            "UserPoolId": pool,
            "Username": user,
            "Password": password,
            "Permanent": draw(st.booleans()),
        },
        "InitiateAuth": {
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": user, "PASSWORD": password},
        },
        "RespondToAuthChallenge": {
            "ClientId": client,
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": "AYAB" + "x" * 40,
            "ChallengeResponses": {"USERNAME": user, "SOFTWARE_TOKEN_MFA_CODE": "123456"},
        },
        "SetUserMFAPreference": {
            "AccessToken": draw(st.sampled_from([world.access, "eyJ" + "x" * 40])),
            "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
        },
        "CreateUserPoolClient": {
            "UserPoolId": pool,
            "ClientName": "fuzz",
            "AccessTokenValidity": draw(st.integers(0, 30)),
        },
        "CreateGroup": {
            "UserPoolId": pool,
            "GroupName": draw(st.sampled_from(["g", "h"])),
            "Precedence": draw(st.integers(-(10**30), 10**30) | st.integers(0, 9)),
        },
    }[operation]
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        key = draw(st.sampled_from([*base, "Extra"]))
        base[key] = draw(JSON)
    return base


FUZZED = "AdminCreateUser AdminSetUserPassword InitiateAuth RespondToAuthChallenge".split()
FUZZED += ["SetUserMFAPreference", "CreateUserPoolClient", "CreateGroup"]
PUBLIC = {"InitiateAuth", "RespondToAuthChallenge", "SetUserMFAPreference"}


@st.composite
def requests(draw: st.DrawFn, world: Fuzz) -> tuple[str, Any]:
    operation = draw(st.sampled_from(FUZZED))
    return operation, _params(draw, world, operation)


# Columns a *failed* sign-in legitimately commits (the lockout counter, spec §4.7).
_COUNTERS = {"failed_attempts", "last_failure", "locked_until", "modified"}


def _without_counters(world: Fuzz, dump: dict[str, list[tuple[Any, ...]]]) -> Any:
    conn = world.engine.db.connect()
    names = [r[1] for r in conn.execute("PRAGMA table_info(users)")]
    keep = [i for i, n in enumerate(names) if n not in _COUNTERS]
    return {**dump, "users": [tuple(row[i] for i in keep) for row in dump["users"]]}


@settings(
    database=None,  # no .hypothesis/ directory in the tree
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_input_is_a_400_or_a_success_and_failures_change_nothing(
    fuzz: Fuzz, data: st.DataObject
) -> None:
    operation, params = data.draw(requests(fuzz))
    principal = None if operation in PUBLIC else "test"
    json.dumps(params)  # the input really is JSON-ish
    before = fuzz.dump()
    try:
        response = fuzz.engine.call(operation, params, iam_principal=principal)
        event(f"{operation}: ok")
        assert_output_shape(operation, response)
    except errors.CognitoError as err:
        event(f"{operation}: {err.code}")
        assert err.status == 400, err
        after = fuzz.dump()
        if err.code == "NotAuthorizedException" and operation == "InitiateAuth":
            assert _without_counters(fuzz, after) == _without_counters(fuzz, before)
        else:
            assert after == before, f"{operation} failed with {err.code} but changed state"
    fuzz.clock.advance(1)


def test_null_members_are_removed_as_absent_at_every_depth() -> None:
    params: dict[str, Any] = {
        "UserPoolId": POOL,
        "ClientName": "c",
        "AuthSessionValidity": None,
        "TokenValidityUnits": {"AccessToken": None, "IdToken": "hours"},
    }
    validate_input("CreateUserPoolClient", params)
    assert params == {
        "UserPoolId": POOL,
        "ClientName": "c",
        "TokenValidityUnits": {"IdToken": "hours"},
    }


# --- bounds on what an unauthenticated caller can make the pool look at ------------------------


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        ("GetUser", {}, "Invalid Access Token"),
        (
            "ChangePassword",
            {"PreviousPassword": "Old-pass-1", "ProposedPassword": "New-pass-2"},
            "Invalid Access Token",
        ),
        ("GetTokensFromRefreshToken", {"ClientId": CLIENT}, "Invalid Refresh Token"),
    ],
)
def test_a_token_longer_than_any_real_one_is_refused_as_cognito_refuses_a_bad_token(
    operation: str, params: dict[str, Any], message: str
) -> None:
    member = "RefreshToken" if "Refresh" in message else "AccessToken"
    err = problem(operation, {**params, member: "a" * (MAX_TOKEN_CHARS + 1)})
    assert (err.code, err.message) == ("NotAuthorizedException", message)
    validate_input(operation, {**params, member: "a" * MAX_TOKEN_CHARS})


def test_an_oversized_token_to_revoke_is_an_invalid_parameter() -> None:
    message = invalid("RevokeToken", {"ClientId": CLIENT, "Token": "a" * (MAX_TOKEN_CHARS + 1)})
    assert message == (
        "1 validation error detected: Value '***' at 'token' failed to satisfy constraint: "
        f"Member must have length less than or equal to {MAX_TOKEN_CHARS}"
    )


@pytest.mark.parametrize(
    ("operation", "member", "items", "limit"),
    [
        ("SignUp", "UserAttributes", [{"Name": "n", "Value": "v"}], MAX_ATTRIBUTES),
        ("SignUp", "ValidationData", [{"Name": "n", "Value": "v"}], MAX_ATTRIBUTES),
        ("AdminDeleteUserAttributes", "UserAttributeNames", ["n"], MAX_ATTRIBUTES),
    ],
)
def test_an_attribute_list_longer_than_any_pool_is_refused_without_looking_at_its_items(
    operation: str, member: str, items: list[Any], limit: int
) -> None:
    base = {"ClientId": CLIENT, "Username": "u", "Password": "Correct-Horse-9!"}
    if operation == "AdminDeleteUserAttributes":
        base = {"UserPoolId": POOL, "Username": "u"}
    validate_input(operation, {**base, member: items * limit})
    bad_items = [{"Name": 3}] * 35_000 if operation == "SignUp" else [3] * 35_000
    message = invalid(operation, {**base, member: bad_items})
    field = member[:1].lower() + member[1:]
    assert message == (
        f"1 validation error detected: Value '[35000 items]' at '{field}' failed to satisfy "
        f"constraint: Member must have length less than or equal to {limit}"
    )


@pytest.mark.parametrize(
    ("member", "limit"),
    [
        ("AuthParameters", MAX_SIGN_IN_PARAMETERS),
        ("ClientMetadata", MAX_CLIENT_METADATA),
    ],
)
def test_oversized_sign_in_maps_are_refused(member: str, limit: int) -> None:
    base = {"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH"}
    validate_input("InitiateAuth", {**base, member: {f"k{i}": "v" for i in range(limit)}})
    message = invalid("InitiateAuth", {**base, member: {f"k{i}": "v" for i in range(limit + 1)}})
    assert f"Map value must have length less than or equal to {limit}" in message


def test_many_unknown_members_are_counted_not_listed() -> None:
    params = {"ClientId": CLIENT, **{f"k{i}": 1 for i in range(80_000)}, "AuthFlow": "x"}
    message = invalid("InitiateAuth", params)
    assert message.startswith("5 validation errors detected: ")
    assert "Unknown parameter 'k0'; Unknown parameter 'k1'; Unknown parameter 'k2'" in message
    assert "79997 more unknown parameters at 'request'" in message
    assert "k3'" not in message
    assert len(message) < 500


def test_a_request_with_many_faults_names_the_first_ten_and_counts_the_rest() -> None:
    attrs = [{"Name": "", "Value": "v"}] * 40
    message = invalid("SignUp", {"ClientId": CLIENT, "Username": "u", "UserAttributes": attrs})
    assert message.startswith("40 validation errors detected: ")
    assert message.count("; ") == 10
    assert message.endswith("; and 30 more")
