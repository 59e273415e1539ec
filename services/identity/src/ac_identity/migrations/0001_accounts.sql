-- Accounts, profiles, client organisations, tokens (the keyring's table comes
-- from the library's keyring migrations).

-- One row per account. `subject_id` is the pseudonymous id used everywhere
-- else; the username is not stored, only `username_index`, an HMAC of it
-- under a key derived from the master key, so a login can find the account.
CREATE TABLE accounts (
    subject_id      text        PRIMARY KEY,
    role            text        NOT NULL,
    username_index  text        NOT NULL UNIQUE,
    organization_id text,
    password_hash   text        NOT NULL,
    email_verified  boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- The person's profile (name, username, email, gender, school, language),
-- encrypted under their own data key: destroying the key shreds it too.
CREATE TABLE profiles (
    subject_id text  PRIMARY KEY REFERENCES accounts ON DELETE CASCADE,
    sealed     bytea NOT NULL
);

CREATE TABLE organisations (
    organization_id text        PRIMARY KEY,
    legal_name      text        NOT NULL,
    address         text        NOT NULL,
    representative  text        NOT NULL,
    country         text        NOT NULL,
    registered_at   timestamptz NOT NULL DEFAULT now()
);

-- Refresh tokens, by SHA-256: rotated on use; a reused one revokes its family.
CREATE TABLE refresh_tokens (
    token_hash text        PRIMARY KEY,
    family_id  uuid        NOT NULL,
    subject_id text        NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_subject_idx ON refresh_tokens (subject_id);

CREATE TABLE email_verifications (
    token_hash text        PRIMARY KEY,
    subject_id text        NOT NULL REFERENCES accounts ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

-- Token signing keys (Ed25519), the private half encrypted under the master key.
CREATE TABLE signing_keys (
    kid         text        PRIMARY KEY,
    sealed      bytea       NOT NULL,
    public_jwk  jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);

-- Failed logins per account index, for throttling (rows older than a minute are pruned).
CREATE TABLE login_failures (
    username_index text        NOT NULL,
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_idx ON login_failures (username_index, at);

-- Erasures done: the pseudonymous id and when (accountability, nothing personal).
CREATE TABLE erasures (
    subject_id   text        PRIMARY KEY,
    requested_at timestamptz NOT NULL,
    completed_at timestamptz NOT NULL
);
