-- [D] #16: a client that received a person's data is told when it is corrected or erased.
-- A notice is kept here when the change is read (identity's ProfileUpdated or
-- ErasureRequested), then told by `recipients.Recipients` (asking the consent service
-- whether the corrected values may go with it) and recorded as RecipientNotified.
CREATE TABLE recipient_notices (
    notice_id       uuid        PRIMARY KEY,
    subject_id      text        NOT NULL,
    organization_id text        NOT NULL,
    change          text        NOT NULL CHECK (change IN ('corrected', 'erased')),
    items           text[]      NOT NULL,
    disclosure_ids  uuid[]      NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    told_at         timestamptz
);
CREATE INDEX recipient_notices_pending_idx ON recipient_notices (created_at) WHERE told_at IS NULL;
