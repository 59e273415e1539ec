-- The register of processors [B] #17 (one row per `desk-processor-<id>` stream), projected
-- in the transaction that records its events: the staff register and the public list.
CREATE TABLE processors (
    processor_id  text        PRIMARY KEY,
    status        text        NOT NULL,
    terms         jsonb       NOT NULL,
    registered_at timestamptz NOT NULL,
    revised_at    timestamptz,
    retired_at    timestamptz,
    version       integer     NOT NULL
);
