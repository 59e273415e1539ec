-- [P] issue 15: whom to tell of an application's changes. (Numbered 7, past the numbers
-- other work in flight may take: migrations are applied in order of their numbers.)

-- The client users of each organisation, as identity announced them: told when an
-- application to their organisation is withdrawn, or its student erased.
CREATE TABLE client_recipients (
    subject_id       text PRIMARY KEY,
    organization_id  text NOT NULL
);
CREATE INDEX client_recipients_organisation ON client_recipients (organization_id);

-- Vacancy titles, as matching posted and revised them: what a message about an application
-- names (a title is not personal data).
CREATE TABLE vacancy_titles (
    vacancy_id  uuid PRIMARY KEY,
    title       text NOT NULL
);
