-- The published policy (GET /policy): each version's text, its SHA-256 and its changes,
-- projected from PolicyPublished (and, for versions published before this table, from
-- the `policies` stream on start: `policy.sync_texts`).
CREATE TABLE policy_texts (
    policy_version text        PRIMARY KEY,
    text_sha256    text        NOT NULL,
    texts          jsonb,
    changes        jsonb       NOT NULL,
    effective_at   timestamptz NOT NULL,
    published_at   timestamptz NOT NULL,
    event_id       uuid        NOT NULL
);
CREATE INDEX policy_texts_sha_idx ON policy_texts (text_sha256);
