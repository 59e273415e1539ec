-- Identity's own secrets (the username index key), sealed under the master key
-- like the signing keys, so that rotating the master key does not change them.
CREATE TABLE sealed_secrets (
    name   text  PRIMARY KEY,
    sealed bytea NOT NULL
);
