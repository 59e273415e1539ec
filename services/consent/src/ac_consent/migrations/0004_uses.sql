-- [E] issue 18: the uses of a person's data (scores against vacancies, messages sent), each
-- with the purpose it served and the decision or basis behind it, for the person's own page
-- beside the disclosures. From matching's `MatchScored` and notifications' `NotificationSent`.
CREATE TABLE uses (
    event_id   uuid        PRIMARY KEY,
    subject_id text        NOT NULL,
    used_at    timestamptz NOT NULL,
    what       text        NOT NULL,
    purpose    text,
    basis      text        NOT NULL,
    decision   jsonb
);
CREATE INDEX uses_subject_idx ON uses (subject_id, used_at DESC, event_id DESC);
