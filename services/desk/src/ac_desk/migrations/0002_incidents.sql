-- Incidents [B] #17 (one row per `desk-incident-<id>` stream), projected in the transaction
-- that records their events: the staff list and the deadlines' job. `incident_people` is
-- who the scope found affected (pseudonymous ids, from the audit's replay of the log), for
-- their notices; the log says how it was computed (`IncidentScoped.log_as_of`).
CREATE TABLE incidents (
    incident_id     uuid        PRIMARY KEY,
    title           text        NOT NULL,
    status          text        NOT NULL,
    discovered_at   timestamptz NOT NULL,
    reportable      boolean,
    people          integer,
    next_due        timestamptz,
    version         integer     NOT NULL
);
CREATE INDEX incidents_due_idx ON incidents (next_due) WHERE next_due IS NOT NULL;

CREATE TABLE incident_people (
    incident_id  uuid    NOT NULL REFERENCES incidents (incident_id),
    subject_id   text    NOT NULL,
    categories   text[]  NOT NULL,
    special_care boolean NOT NULL,
    PRIMARY KEY (incident_id, subject_id)
);
