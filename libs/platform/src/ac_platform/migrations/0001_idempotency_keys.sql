-- The answers to writes sent with an `Idempotency-Key` (ac_platform.idempotency): a retry
-- with the same key and body gets the first answer, and writes nothing new.
CREATE TABLE idempotency_keys (
    owner        text        NOT NULL,  -- who called (the token's subject, or 'anonymous')
    key          text        NOT NULL,
    fingerprint  text        NOT NULL,  -- SHA-256 of method, path, query and body
    state        text        NOT NULL CHECK (state IN ('running', 'done')),
    status       integer,
    content_type text,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
