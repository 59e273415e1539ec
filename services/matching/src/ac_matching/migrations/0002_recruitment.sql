-- [P] issue 15: kinds, internship terms, deadlines and forms; application states and
-- their history; students' preferences; the ranking index's rows; organisations' quotas.

-- Every row the ranking index (`ac_matching/live.py`) reads carries the id of the
-- transaction that last wrote it (`txid`): a replica reads what changed since the oldest
-- transaction still running at its last read, so a late commit is never missed; `version`
-- (one sequence for both tables) says which of two copies of a row is newer.
CREATE SEQUENCE ranking_version;

ALTER TABLE vacancies
    ADD COLUMN kind text NOT NULL DEFAULT 'permanent'
        CHECK (kind IN ('internship', 'permanent', 'temporary', 'contract')),
    ADD COLUMN work_mode text NOT NULL DEFAULT 'on_site'
        CHECK (work_mode IN ('on_site', 'hybrid', 'remote')),
    ADD COLUMN location_area text NOT NULL DEFAULT '',
    ADD COLUMN internship jsonb,
    ADD COLUMN deadline timestamptz,
    ADD COLUMN places integer NOT NULL DEFAULT 1,
    ADD COLUMN form jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN closed_reason text CHECK (closed_reason IN ('filled', 'withdrawn', 'deadline_passed')),
    ADD COLUMN revision integer NOT NULL DEFAULT 1,
    ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ADD COLUMN version bigint NOT NULL DEFAULT nextval('ranking_version');
UPDATE vacancies SET closed_reason = 'withdrawn' WHERE NOT open;
DROP INDEX vacancies_open;
CREATE INDEX vacancies_open ON vacancies (posted_at DESC, vacancy_id DESC) WHERE open;
CREATE INDEX vacancies_organisation ON vacancies (organization_id, posted_at DESC, vacancy_id DESC);
CREATE INDEX vacancies_deadline ON vacancies (deadline) WHERE open AND deadline IS NOT NULL;
CREATE INDEX vacancies_txid ON vacancies (txid);

-- A score shown is stored in the query's one statement and becomes `MatchScored` a moment
-- later (the `scores` worker): the table is the outbox of assessments, so a score shown is
-- never left unrecorded, and a query does not wait for twenty appends.
ALTER TABLE scores ADD COLUMN recorded boolean NOT NULL DEFAULT true;
CREATE INDEX scores_unrecorded ON scores (subject_id) WHERE NOT recorded;

-- An application's provision (`status`: shared or blocked) and, once shared, its state.
ALTER TABLE applications
    ADD COLUMN state text CHECK (state IN ('submitted', 'reviewing', 'interview', 'offer',
                                           'accepted', 'declined', 'rejected', 'withdrawn')),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN disclosure_id uuid,
    ADD COLUMN data_items text[] NOT NULL DEFAULT '{}',
    ADD COLUMN sensitive_items text[] NOT NULL DEFAULT '{}';
UPDATE applications SET state = 'submitted' WHERE status = 'shared';
UPDATE applications a SET disclosure_id = d.disclosure_id,
    data_items = ARRAY(SELECT jsonb_array_elements_text(d.record -> 'data_items')),
    sensitive_items = ARRAY(SELECT jsonb_array_elements_text(d.record -> 'sensitive_items'))
    FROM disclosures d WHERE d.application_id = a.application_id;
DROP INDEX applications_subject;
CREATE INDEX applications_subject ON applications (subject_id, created_at DESC, application_id DESC);
CREATE INDEX applications_vacancy ON applications (vacancy_id, created_at DESC, application_id DESC)
    WHERE status = 'shared';

-- Each step of an application; the message to the student sealed under the student's key.
CREATE TABLE application_history (
    event_id        uuid PRIMARY KEY,
    application_id  uuid NOT NULL REFERENCES applications,
    at              timestamptz NOT NULL,
    from_state      text NOT NULL,
    to_state        text NOT NULL,
    by_role         text NOT NULL,
    message_sealed  text
);
CREATE INDEX application_history_application ON application_history (application_id, at);

-- What a student asked matching to keep to (periods, kinds, ways of working), sealed.
CREATE TABLE preferences (
    subject_id    text PRIMARY KEY,
    prefs_sealed  text NOT NULL
);

-- The ranking index's side of the students: per person, the terms of their CV a client
-- may be matched on (the parts the sensitive-data guard finds nothing in) and their
-- preferences, sealed under the person's key; whether they have an active
-- vacancy_assessment consent, as consent.events tells it (confirmed with the consent
-- service before anyone is shown). `doc_sealed` is NULL when there is nothing to rank
-- (no CV, or erased: erasure empties the row).
CREATE TABLE ranking_docs (
    subject_id   text PRIMARY KEY,
    doc_sealed   text,
    assessable   boolean NOT NULL DEFAULT false,
    txid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    version      bigint NOT NULL DEFAULT nextval('ranking_version')
);
CREATE INDEX ranking_docs_txid ON ranking_docs (txid);

CREATE TABLE assessment_consents (
    consent_id  uuid PRIMARY KEY,
    subject_id  text NOT NULL
);
CREATE INDEX assessment_consents_subject ON assessment_consents (subject_id);

-- [H] issue 14 item 6: what each organisation used of its hourly bounds.
CREATE TABLE quota_use (
    organization_id  text NOT NULL,
    what             text NOT NULL,
    hour             timestamptz NOT NULL,
    used             integer NOT NULL,
    PRIMARY KEY (organization_id, what, hour)
);
