-- The desk's view of its requests (one row per `desk-request-<id>` stream), projected in
-- the transaction that records their events: the staff queue, a person's list, the
-- deadlines' and the retention's jobs, the monthly report. Nothing personal: what
-- people wrote stays in the (encrypted) events, read from the event store on demand.
CREATE TABLE requests (
    request_id   uuid        PRIMARY KEY,
    subject_id   text        NOT NULL,
    kind         text        NOT NULL,
    channel      text        NOT NULL,
    account      boolean     NOT NULL,
    status       text        NOT NULL,
    filed_at     timestamptz NOT NULL,
    started_at   timestamptz NOT NULL,
    due_at       timestamptz,
    assignee     text,
    answered_at  timestamptz,
    outcome      text,
    closed_at    timestamptz,
    warned_at    timestamptz,
    escalated_at timestamptz,
    version      integer     NOT NULL
);
CREATE INDEX requests_subject_idx ON requests (subject_id, filed_at);
CREATE INDEX requests_due_idx ON requests (due_at) WHERE status = 'open';
CREATE INDEX requests_guests_idx ON requests (closed_at) WHERE NOT account;
