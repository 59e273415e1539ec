-- [D] #16 (6): accounts people can recover and control.

-- When each refresh token was issued: a session (family) lists when it began (its first
-- token) and when it was last used (its newest).
ALTER TABLE refresh_tokens ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();

-- Password reset links, by SHA-256 of the token (the token itself is only in the email, and
-- in its event encrypted under the person's key): used once, within 30 minutes.
CREATE TABLE password_resets (
    token_hash text        PRIMARY KEY,
    subject_id text        NOT NULL REFERENCES accounts ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX password_resets_subject_idx ON password_resets (subject_id);
