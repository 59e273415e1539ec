-- Client organisations as identity announced them: what a provision record names.
CREATE TABLE organisations (
    organization_id  text PRIMARY KEY,
    legal_name       text NOT NULL,
    address          text NOT NULL,
    representative   text NOT NULL,
    country          text NOT NULL
);

-- Students' personal details (name, email, gender, school) and their current CV,
-- learnt from identity's and resumes' events, sealed under the person's own key.
CREATE TABLE people (
    subject_id       text PRIMARY KEY,
    details_sealed   text NOT NULL
);

CREATE TABLE cvs (
    subject_id       text PRIMARY KEY,
    resume_id        uuid NOT NULL,
    revision         integer NOT NULL,
    content_sealed   text NOT NULL
);

-- Special care-required categories a person volunteered: a provision of their CV names them.
CREATE TABLE declared_sensitive (
    subject_id  text NOT NULL,
    category    text NOT NULL,
    PRIMARY KEY (subject_id, category)
);

CREATE TABLE vacancies (
    vacancy_id        uuid PRIMARY KEY,
    organization_id   text NOT NULL REFERENCES organisations,
    title             text NOT NULL,
    description       text NOT NULL,
    skills            text[] NOT NULL,
    location_country  text NOT NULL,
    open              boolean NOT NULL DEFAULT true,
    posted_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vacancies_open ON vacancies (posted_at DESC) WHERE open;

-- The last score of each (student, vacancy) pair recorded as MatchScored.
CREATE TABLE scores (
    subject_id  text NOT NULL,
    vacancy_id  uuid NOT NULL,
    score       double precision NOT NULL,
    method      text NOT NULL,
    PRIMARY KEY (subject_id, vacancy_id)
);

CREATE TABLE applications (
    application_id   uuid PRIMARY KEY,
    subject_id       text NOT NULL,
    vacancy_id       uuid NOT NULL REFERENCES vacancies,
    organization_id  text NOT NULL,
    status           text NOT NULL CHECK (status IN ('shared', 'blocked')),
    reason           text NOT NULL,
    missing          text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_subject ON applications (subject_id, created_at);

-- The record of every provision to a third party (DataShared), kept at least three
-- years after the provision, past an erasure: then only its snapshot goes.
CREATE TABLE disclosures (
    disclosure_id    uuid PRIMARY KEY,
    event_id         uuid NOT NULL,
    subject_id       text NOT NULL,
    application_id   uuid,
    organization_id  text NOT NULL,
    shared_at        timestamptz NOT NULL,
    record           jsonb NOT NULL,
    snapshot_sealed  text
);
CREATE INDEX disclosures_subject ON disclosures (subject_id, shared_at);
CREATE INDEX disclosures_organisation ON disclosures (organization_id, shared_at);
