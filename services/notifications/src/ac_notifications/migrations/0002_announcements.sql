-- Policy changes and transfers are told to whoever consented, whichever of the
-- two events is read first: consent.events is keyed by person, and the
-- `policies` stream lives on another partition, so a consent granted before a
-- policy change may be read after it. Both sides are kept and joined on
-- arrival of either (see domain.concerned).

-- The version a consent was given under, and when (NULL for rows from before
-- this migration: treated as the oldest version, granted at the beginning).
ALTER TABLE audience ADD COLUMN policy_version text;
ALTER TABLE audience ADD COLUMN granted_at timestamptz;

-- Published policy versions in their order on the `policies` stream.
CREATE TABLE policy_versions (
    policy_version text   PRIMARY KEY,
    position       bigint NOT NULL
);

-- Every significant policy change and business transfer, with what its
-- message says; a consent read later joins the ones that concern it.
CREATE TABLE announcements (
    event_id         uuid        PRIMARY KEY,
    kind             text        NOT NULL,
    purposes         text[]      NOT NULL,
    policy_position  bigint,
    opt_out_deadline timestamptz,
    params           jsonb       NOT NULL
);
CREATE INDEX announcements_purposes_idx ON announcements USING gin (purposes);
