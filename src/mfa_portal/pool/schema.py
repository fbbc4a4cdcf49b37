"""The embedded pool's schema as an ordered list of migrations (``PRAGMA user_version`` counts them).

Append a new migration; never edit a released one. JSON columns hold Cognito-shaped documents whose
structure the engine owns (pool and client settings, user attributes, per-session data).
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the initial schema
    """
CREATE TABLE pools (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,          -- JSON: the UserPoolType fields we keep (policies, aliases, ...)
    mfa TEXT NOT NULL,               -- JSON: MfaConfiguration + factor blocks of SetUserPoolMfaConfig
    created REAL NOT NULL,
    modified REAL NOT NULL
);
CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret TEXT,                     -- the client secret, as Cognito returns it in DescribeUserPoolClient
    settings TEXT NOT NULL,          -- JSON: UserPoolClientType fields
    created REAL NOT NULL,
    modified REAL NOT NULL
);
CREATE INDEX clients_pool ON clients(pool_id);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    username TEXT NOT NULL,          -- as created
    username_key TEXT NOT NULL,      -- lower-cased when the pool is case-insensitive
    sub TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,            -- UNCONFIRMED | CONFIRMED | FORCE_CHANGE_PASSWORD | RESET_REQUIRED
    enabled INTEGER NOT NULL DEFAULT 1,
    attributes TEXT NOT NULL DEFAULT '{}',   -- JSON object name -> value (sub excluded)
    password_hash TEXT,              -- argon2id
    temp_password_expires REAL,      -- set while status is FORCE_CHANGE_PASSWORD
    mfa_enabled TEXT NOT NULL DEFAULT '[]',  -- JSON list: SOFTWARE_TOKEN_MFA, EMAIL_OTP, SMS_MFA
    preferred_mfa TEXT,
    tokens_valid_after REAL NOT NULL DEFAULT 0,  -- global sign-out: tokens issued before are revoked
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    last_failure REAL NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    UNIQUE (pool_id, username_key)
);
CREATE INDEX users_email ON users(pool_id, lower(json_extract(attributes, '$.email')));
CREATE TABLE software_tokens (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT,                     -- encrypted verified secret, NULL when none
    friendly_name TEXT,
    verified_at REAL,
    pending_secret TEXT,             -- encrypted secret from AssociateSoftwareToken awaiting Verify
    pending_created REAL,
    last_step INTEGER NOT NULL DEFAULT 0  -- highest TOTP time step ever accepted (replay guard)
);
CREATE TABLE auth_sessions (
    id_hash TEXT PRIMARY KEY,        -- SHA-256 of the opaque Session string
    pool_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,             -- password_ok | new_password_set | setup_verified | ...
    challenge TEXT NOT NULL,         -- the challenge this session answers
    data TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX auth_sessions_expiry ON auth_sessions(expires_at);
CREATE TABLE token_families (
    origin_jti TEXT PRIMARY KEY,     -- one per sign-in; shared by every token refreshed from it
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    refresh_hash TEXT UNIQUE,        -- SHA-256 of the opaque refresh token
    auth_time REAL NOT NULL,
    created REAL NOT NULL,
    expires_at REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX token_families_user ON token_families(user_id);
CREATE TABLE groups (
    pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    precedence INTEGER,
    role_arn TEXT,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    PRIMARY KEY (pool_id, name)
);
CREATE TABLE group_members (
    pool_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, group_name, user_id),
    FOREIGN KEY (pool_id, group_name) REFERENCES groups(pool_id, name) ON DELETE CASCADE
)
""",
    # 2: account recovery (ForgotPassword / AdminResetUserPassword codes, their rate limit)
    """
CREATE TABLE reset_codes (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT,                  -- sealed salted HMAC-SHA256 of the code; NULL once used or void
    expires_at REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,     -- wrong ConfirmForgotPassword codes against this code
    requests TEXT NOT NULL DEFAULT '[]',     -- JSON list: times of ForgotPassword calls in the last hour
    created REAL NOT NULL
);
CREATE TABLE recovery_keys (
    pool_id TEXT PRIMARY KEY REFERENCES pools(id) ON DELETE CASCADE,
    simulation_key TEXT NOT NULL     -- keys the stable fake destination shown for unknown users
)
""",
    # 3: check values of the keys kept outside the database (seed key, token signing keys), written
    # when a key is first used, so a process started with a missing or different key refuses to run
    """
CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
""",
    # 4: SRP password verifiers (USER_SRP_AUTH), sealed like TOTP seeds
    """
CREATE TABLE srp_verifiers (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    verifier TEXT NOT NULL           -- sealed "<salt hex>:<v hex>"; a password equivalent offline
)
""",
    # 5: refresh-token rotation: every refresh token a family has replaced, for the retry grace
    #    period and for reuse detection
    """
CREATE TABLE rotated_refresh_tokens (
    refresh_hash TEXT PRIMARY KEY,   -- SHA-256 of a refresh token the family no longer accepts
    origin_jti TEXT NOT NULL REFERENCES token_families(origin_jti) ON DELETE CASCADE,
    replaced_at REAL NOT NULL
);
CREATE INDEX rotated_refresh_tokens_family ON rotated_refresh_tokens(origin_jti)
""",
    # 6: what a name that is no user has been through, so that it is answered as a user would be
    #    (PreventUserExistenceErrors): lockout counter, ForgotPassword requests, a simulated code
    """
CREATE TABLE unknown_names (
    pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    name_hash TEXT NOT NULL,         -- keyed digest of the normalised name; the name is never stored
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    last_failure REAL NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0,
    requests TEXT NOT NULL DEFAULT '[]',     -- JSON list: times of ForgotPassword calls in the last hour
    code_expires REAL NOT NULL DEFAULT 0,    -- when the simulated reset code would expire (0: none)
    code_attempts INTEGER NOT NULL DEFAULT 0,
    expires_at REAL NOT NULL,        -- after this the row says nothing a missing row would not
    PRIMARY KEY (pool_id, name_hash)
);
CREATE INDEX unknown_names_expiry ON unknown_names(expires_at)
""",
    # 7: sign-up confirmation and attribute verification codes (one live code per user and
    #    purpose), and the pending new value of an attribute that changes only once verified
    """
CREATE TABLE verification_codes (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,           -- "signup" | "attribute:email"
    code_hash TEXT,                  -- sealed salted HMAC-SHA256 of the code; NULL once used or void
    destination TEXT NOT NULL DEFAULT '',   -- the address the code went to
    pending_value TEXT,              -- AttributesRequireVerificationBeforeUpdate: the new value
    expires_at REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,     -- wrong codes against this code
    requests TEXT NOT NULL DEFAULT '[]',     -- JSON list: times of code requests in the last hour
    created REAL NOT NULL,
    PRIMARY KEY (user_id, purpose)
)
""",
    # 8: ListUsers and AdminGetUser on indexes at any size. ``email`` is a real column (kept equal to
    #    the attributes' email on every write, in the same statement), so a prefix search is an index
    #    range, not a scan of JSON; each searchable column is indexed with ``id`` last, so an exact
    #    match pages in id order and a prefix match in (value, id) order, both by keyset. Expired
    #    token families are found by their expiry, to be purged a batch at a time; a user's groups
    #    (every GetUser, AdminGetUser and token) by the user, not by scanning every membership.
    """
ALTER TABLE users ADD COLUMN email TEXT;
UPDATE users SET email = json_extract(attributes, '$.email');
CREATE INDEX users_pool_order ON users(pool_id, id);
CREATE INDEX users_email_order ON users(pool_id, email, id);
CREATE INDEX users_username_order ON users(pool_id, username, id);
CREATE INDEX users_status_order ON users(pool_id, status, id);
CREATE INDEX users_enabled_order ON users(pool_id, enabled, id);
CREATE INDEX token_families_expiry ON token_families(expires_at);
CREATE INDEX group_members_user ON group_members(user_id)
""",
    # 9: failed password steps per client address on the public endpoint (pool/address_limit.py)
    """
CREATE TABLE address_limits (
    source TEXT PRIMARY KEY,         -- an address, or an IPv6 address's /64
    window_start REAL NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    pending INTEGER NOT NULL DEFAULT 0,   -- password steps admitted and not yet settled
    first_failure REAL,
    last_failure REAL,
    reported INTEGER NOT NULL DEFAULT 0   -- 1 once the limit's being reached was logged
);
CREATE INDEX address_limits_window ON address_limits(window_start)
""",
    # 10: SRP challenges travel sealed in their SECRET_BLOCK (pool/srp_blocks.py); a block that was
    #     answered is recorded here until it expires, so it is answered once
    """
CREATE TABLE srp_spent (
    id_hash TEXT PRIMARY KEY,        -- SHA-256 of the block
    expires_at REAL NOT NULL
);
CREATE INDEX srp_spent_expiry ON srp_spent(expires_at)
""",
]
