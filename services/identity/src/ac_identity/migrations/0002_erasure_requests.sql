-- Erasures requested and not yet carried out: the account is gone at once,
-- the data key is destroyed when `due_at` passes (the grace lets services
-- finish what they owe the person, e.g. the confirmation email).
CREATE TABLE erasure_requests (
    subject_id   text        PRIMARY KEY,
    requested_at timestamptz NOT NULL,
    due_at       timestamptz NOT NULL
);
CREATE INDEX erasure_requests_due_idx ON erasure_requests (due_at);
