-- Decisions read one person's consents for one purpose: one index serves both.
CREATE INDEX consents_subject_purpose_idx ON consents (subject_id, purpose);
DROP INDEX consents_subject_idx;

-- Client organisations (from identity's ClientOrganizationRegistered): the
-- recipients a consent or a decision may name.
CREATE TABLE organisations (
    organization_id text        PRIMARY KEY,
    legal_name      text        NOT NULL,
    country         text        NOT NULL,
    registered_at   timestamptz NOT NULL
);

-- The country notices people are shown before consenting to provision abroad
-- (APPI art. 28), stored by the SHA-256 of their content.
CREATE TABLE country_notices (
    notice_sha256      text        PRIMARY KEY,
    country            text        NOT NULL,
    country_name       text        NOT NULL,
    protection_system  text        NOT NULL,
    recipient_measures text        NOT NULL,
    event_id           uuid        NOT NULL,
    published_at       timestamptz NOT NULL
);

-- Who received which of a person's data when (from matching's DataShared),
-- for the person's own page. Pseudonymous; kept past an erasure.
CREATE TABLE disclosures (
    disclosure_id        uuid        PRIMARY KEY,
    subject_id           text        NOT NULL,
    shared_at            timestamptz NOT NULL,
    purpose              text        NOT NULL,
    organization_id      text        NOT NULL,
    recipient_legal_name text        NOT NULL,
    recipient_country    text        NOT NULL,
    data_items           text[]      NOT NULL,
    sensitive_items      text[]      NOT NULL,
    justification        jsonb       NOT NULL
);
CREATE INDEX disclosures_subject_idx ON disclosures (subject_id, shared_at);
