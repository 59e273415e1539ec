-- The consent service's view (architecture.md §3): projected from its own events in the
-- same transaction that records them (read-your-writes), and from other
-- services' events by its consumers.

CREATE TABLE consents (
    consent_id           uuid        PRIMARY KEY,
    subject_id           text        NOT NULL,
    purpose              text        NOT NULL,
    recipient            text        NOT NULL,
    region               text        NOT NULL,
    data_categories      text[]      NOT NULL,
    sensitive_categories text[]      NOT NULL,
    policy_version       text        NOT NULL,
    country_notice       text,
    granted_event_id     uuid        NOT NULL,
    granted_at           timestamptz NOT NULL,
    withdrawn_event_id   uuid,
    withdrawn_at         timestamptz
);
CREATE INDEX consents_subject_idx ON consents (subject_id);

CREATE TABLE policy_versions (
    policy_version text        PRIMARY KEY,
    rank           integer     NOT NULL UNIQUE,
    effective_at   timestamptz NOT NULL
);

-- Per purpose, the rank of the latest policy version that changed it significantly.
CREATE TABLE significant_changes (
    purpose text    PRIMARY KEY,
    rank    integer NOT NULL
);

CREATE TABLE transfers (
    transfer_id      uuid        PRIMARY KEY,
    acquirer         text        NOT NULL,
    purposes         text[]      NOT NULL,
    opt_out_deadline timestamptz NOT NULL
);

CREATE TABLE transfer_objections (
    subject_id  text NOT NULL,
    transfer_id uuid NOT NULL,
    PRIMARY KEY (subject_id, transfer_id)
);

CREATE TABLE erased_subjects (
    subject_id text        PRIMARY KEY,
    erased_at  timestamptz NOT NULL
);
