-- One current CV per student, its content sealed under the person's own data key
-- (ac_events.sealing): the person's erasure shreds it with their events.
CREATE TABLE resumes (
    subject_id      text PRIMARY KEY,
    resume_id       uuid NOT NULL,
    revision        integer NOT NULL CHECK (revision >= 1),
    content_sealed  text NOT NULL,
    has_pdf         boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Special care-required categories a person volunteered (SensitiveDataDeclared).
CREATE TABLE declared_sensitive (
    subject_id   text NOT NULL,
    category     text NOT NULL,
    declared_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject_id, category)
);
