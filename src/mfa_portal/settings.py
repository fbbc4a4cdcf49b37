"""The portal's configuration, read once at start-up from flags, ``MFA_PORTAL_*`` env variables and ``.env``.

A wrong value stops the start with a ``SettingsError`` whose message names the setting (as its env
variable), so an operator never has to guess which line of ``.env`` is at fault.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "MFA_PORTAL_"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
#: Controls (newlines, escapes), format characters (bidi overrides), separators, private use and
#: unassigned code points: refused in texts shown on every page and in every email.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs"})
PRODUCT_NAME_MAX = 64
SUPPORT_CONTACT_MAX = 200
DEFAULT_REGION = "us-east-1"
BASE_PATH_CHARS = re.compile(r"[A-Za-z0-9/._~-]+")


class Backend(StrEnum):
    EMBEDDED = "embedded"
    COGNITO = "cognito"


class SessionStoreKind(StrEnum):
    SQLITE = "sqlite"
    REDIS = "redis"


class CookieSecure(StrEnum):
    AUTO = "auto"  # Secure, except for plain-HTTP requests to a loopback host
    ALWAYS = "always"
    NEVER = "never"


class Enforcement(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class AuthFlow(StrEnum):
    SRP = "srp"  # USER_SRP_AUTH: the password never leaves the portal
    PASSWORD = "password"  # USER_PASSWORD_AUTH


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class EnrolmentProofKind(StrEnum):
    """What a session that proved only the password must also prove before it may bind an
    authenticator (a first enrolment, or one after a support or recovery-code reset)."""

    NONE = "none"  # the password alone (the behaviour before this setting existed)
    EMAIL = "email"  # a one-time code mailed to the user's verified email address


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it and says what is expected."""


_CONFIG = SettingsConfigDict(
    env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
)


class LogSettings(BaseSettings):
    """The server log (security events included): read by ``serve`` and ``pool serve`` alike."""

    model_config = _CONFIG

    log_level: LogLevel = LogLevel.INFO
    log_format: LogFormat = LogFormat.TEXT

    @model_validator(mode="before")
    @classmethod
    def _upper_level(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("log_level"), str):
            data = {**data, "log_level": data["log_level"].upper()}
        return data


def load_log_settings() -> LogSettings:
    """Only the log settings (``pool serve`` has no other portal setting to get wrong)."""
    try:
        return LogSettings()
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


MAX_WORKERS = 256


class ServerSettings(BaseSettings):
    """How ``serve`` and ``pool serve`` run: worker processes (``--workers`` wins over it)."""

    model_config = _CONFIG

    workers: int | None = Field(default=None, ge=1, le=MAX_WORKERS)  # None: one per core


def load_server_settings() -> ServerSettings:
    try:
        return ServerSettings()
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


class Settings(LogSettings):
    """Every knob of the portal; ``docs/configuration.md`` describes each one."""

    model_config = _CONFIG

    backend: Backend = Backend.EMBEDDED
    region: str = DEFAULT_REGION  # when unset: the region part of user_pool_id, if that is set
    user_pool_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    endpoint_url: str | None = None  # any Cognito-compatible endpoint instead of AWS
    auth_flow: AuthFlow = AuthFlow.SRP  # falls back to password when the app client refuses SRP
    data_dir: Path = Path(".mfa-portal")
    # postgresql://user:password@host:5432/db: the pool, the portal store and (without Redis) the
    # sessions live there instead of in the data directory's SQLite files
    database_url: SecretStr | None = None
    secret_key: SecretStr | None = None  # generated into the data dir when unset
    secret_key_file: Path | None = None  # a file holding it (a mounted secret); the variable wins
    session_store: SessionStoreKind | None = (
        None  # default: redis when redis_url is set, else sqlite
    )
    redis_url: str | None = None
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    revalidate_seconds: int = 60  # how often a session's access token is re-checked with GetUser
    cookie_secure: CookieSecure = CookieSecure.AUTO
    issuer_name: str = "mfa-portal"  # shown in authenticator apps; default: product_name
    product_name: str | None = None  # page titles, brand, email subjects
    support_contact: str | None = None  # free text shown where users are told to contact support
    enforcement: Enforcement = Enforcement.REQUIRED
    mode: Mode = Mode.PRODUCTION
    public_url: str | None = None
    base_path: str = ""  # e.g. /_mfa: the whole portal under one prefix beside the protected app
    initial_admin_password: SecretStr | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_security: SmtpSecurity = SmtpSecurity.NONE
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    # --- enrolment proof (docs/security.md "Who may bind an authenticator") ---
    enrolment_proof: EnrolmentProofKind = EnrolmentProofKind.EMAIL
    enrolment_code_minutes: int = 10  # how long a mailed enrolment code is valid
    # failed password steps on the sign-in page per client address in 15 minutes; 0: no limit
    signin_failures_per_address: int = Field(default=100, ge=0, le=1_000_000)
    # the same for password steps posted to the embedded pool's endpoint by other than loopback
    pool_failures_per_address: int = Field(default=100, ge=0, le=1_000_000)

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        if self.user_pool_id and "_" not in self.user_pool_id:
            raise ValueError(f"{_env('user_pool_id')} must look like <region>_<id>")
        self._settle_region()
        if "backend" not in self.model_fields_set and self.user_pool_id:
            self.backend = Backend.COGNITO  # a pool id alone means Amazon Cognito
        if self.backend is Backend.COGNITO:
            for name in ("user_pool_id", "client_id"):
                if not getattr(self, name):
                    raise ValueError(f"{_env(name)} is required when {_env('backend')}=cognito")
        if self.store_kind is SessionStoreKind.REDIS and not self.redis_url:
            raise ValueError(f"{_env('redis_url')} is required when {_env('session_store')}=redis")
        for name in ("endpoint_url", "public_url", "redis_url"):
            value = getattr(self, name)
            if value and not urlsplit(value).scheme:
                raise ValueError(f"{_env(name)} must be an absolute URL")
        if self.database_url is not None:
            scheme = self.database_url.get_secret_value().split("://", 1)[0].lower()
            if scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
                raise ValueError(
                    f"{_env('database_url')} must be a postgresql:// URL (leave it unset for the "
                    "SQLite files in the data directory)"
                )
        if self.secret_key is None and self.secret_key_file is not None:
            _read_secret_file(self.secret_key_file, "secret_key_file")  # refuse it at start
        problem = _base_path_problem(self.base_path)
        if problem:
            raise ValueError(f"{_env('base_path')} {problem} (e.g. /_mfa, or unset for none)")
        if not 0 < self.smtp_port < 65536:
            raise ValueError(f"{_env('smtp_port')} must be a port number")
        for name in (
            "session_idle_minutes",
            "session_max_hours",
            "revalidate_seconds",
            "enrolment_code_minutes",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{_env(name)} must be a positive number")
        if (
            self.enrolment_code_minutes > 10
        ):  # ASVS 2.7.2: out-of-band codes live 10 minutes at most
            raise ValueError(f"{_env('enrolment_code_minutes')} must be at most 10")
        for name, limit in (
            ("product_name", PRODUCT_NAME_MAX),
            ("support_contact", SUPPORT_CONTACT_MAX),
        ):
            problem = _text_problem(getattr(self, name), limit)
            if problem:
                raise ValueError(f"{_env(name)} {problem}")
            if getattr(self, name) is not None:
                setattr(self, name, getattr(self, name).strip())
        if self.product_name and "issuer_name" not in self.model_fields_set:
            if ":" in self.product_name:
                raise ValueError(
                    f"{_env('product_name')} contains ':', which an authenticator's issuer cannot: "
                    f"set {_env('issuer_name')} too"
                )
            self.issuer_name = self.product_name.strip()
        if not self.issuer_name.strip() or ":" in self.issuer_name:
            raise ValueError(f"{_env('issuer_name')} must be non-empty and contain no ':'")
        return self

    def _settle_region(self) -> None:
        """A pool lives in the region its id names, so an unset region is taken from the id (an
        ``eu-west-1_…`` pool is not looked for in us-east-1), and a region that names another one
        would only fail later with a confusing "pool not found" or token-issuer mismatch."""
        if not self.user_pool_id:
            return
        pool_region = self.user_pool_id.split("_", 1)[0]
        if "region" not in self.model_fields_set:
            self.region = pool_region
        elif self.region != pool_region:
            raise ValueError(
                f"{_env('region')}={self.region} contradicts {_env('user_pool_id')}="
                f"{self.user_pool_id}, whose pool lives in {pool_region}; "
                f"unset {_env('region')} or make the two agree"
            )

    @property
    def portal_url(self) -> str:
        """Where the portal's pages are, for links in emails: ``MFA_PORTAL_PUBLIC_URL`` plus the
        base path, or empty when no public URL is set."""
        if not self.public_url:
            return ""
        return self.public_url.rstrip("/") + self.base_path

    @property
    def store_kind(self) -> SessionStoreKind:
        if self.session_store is not None:
            return self.session_store
        return SessionStoreKind.REDIS if self.redis_url else SessionStoreKind.SQLITE

    @property
    def database(self) -> str | None:
        """The PostgreSQL URL, or None for the SQLite files in the data directory."""
        return self.database_url.get_secret_value() if self.database_url else None

    def secret_key_source(self) -> str:
        """Where ``secret_key_bytes`` comes from, for messages (never the secret)."""
        if self.secret_key is not None:
            return _env("secret_key")
        if self.secret_key_file is not None:
            return f"{self.secret_key_file}, named by {_env('secret_key_file')}"
        return str(self.data_dir / "secret_key")

    def secret_key_bytes(self) -> bytes:
        """The key that signs nothing the browser holds but derives CSRF/session material."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        if self.secret_key_file is not None:
            return _read_secret_file(self.secret_key_file, "secret_key_file").encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()


def _base_path_problem(value: str) -> str | None:
    """Why a base path is refused, or None. It is put in front of every portal URL and compared
    with request paths, so it is one plain, normalised path: no dot segments, no empty segments,
    no characters that need escaping."""
    if value == "":
        return None
    if not value.startswith("/"):
        return "must start with '/'"
    if value.endswith("/"):
        return "must not end with '/'"
    segments = value[1:].split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        return "must not contain '//', '.' or '..' segments"
    if not BASE_PATH_CHARS.fullmatch(value):
        return "may contain only letters, digits and '/', '-', '_', '.', '~'"
    return None


def _text_problem(value: str | None, limit: int) -> str | None:
    """Why a text shown to users is refused (it reaches pages and email headers), or None."""
    if value is None:
        return None
    if not value.strip():
        return "must not be empty"
    if len(value) > limit:
        return f"must be at most {limit} characters"
    if any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in value):
        return "must not contain control or formatting characters"
    return None


def _read_secret_file(path: Path, name: str) -> str:
    """The secret a ``…_FILE`` setting names (surrounding whitespace removed); ValueError naming the
    setting, never the content, when it cannot be read or is empty."""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ValueError(f"{_env(name)}: cannot read {path} ({reason})") from None
    if not value:
        raise ValueError(f"{_env(name)}: {path} is empty")
    return value


def _env(name: str) -> str:
    return f"{ENV_PREFIX}{name.upper()}"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; ``overrides`` (from CLI flags) win over env and ``.env``.

    Raises ``SettingsError`` naming each wrong setting by its env variable.
    """
    clean = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**clean)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [str(part) for part in err.get("loc", ()) if part != "__root__"]
        message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        lines.append(f"{_env(loc[0])}: {message}" if loc else message)
    return "Invalid settings:\n  " + "\n  ".join(lines)
