-- The keyring of per-person data keys (identity service only, architecture.md §4).
-- wrapped_key is the data key encrypted (AES-GCM) under the master key
-- `kek_id`; erasure sets it to NULL, which crypto-shreds the person.
CREATE TABLE keyring (
    subject_id   text        PRIMARY KEY,
    wrapped_key  bytea,
    kek_id       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
