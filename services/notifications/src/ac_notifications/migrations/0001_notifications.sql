-- Who to write to, who is in which audience, and every message with its state.

-- A person's address, sealed (AES-GCM) under their own data key: erasure shreds it.
CREATE TABLE contacts (
    subject_id     text        PRIMARY KEY,
    address_sealed text        NOT NULL,
    language       text        NOT NULL,
    role           text        NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Consents as consent.events tells them: who is concerned by a policy change,
-- a transfer or a campaign (the send-time check asks the consent service).
CREATE TABLE audience (
    consent_id uuid    PRIMARY KEY,
    subject_id text    NOT NULL,
    purpose    text    NOT NULL,
    active     boolean NOT NULL
);
CREATE INDEX audience_purpose_idx ON audience (purpose) WHERE active;
CREATE INDEX audience_subject_idx ON audience (subject_id);

CREATE TABLE subscriptions (
    subscription_id uuid        PRIMARY KEY,
    subject_id      text        NOT NULL,
    keywords        text[]      NOT NULL,
    countries       text[]      NOT NULL,
    active          boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_subject_idx ON subscriptions (subject_id);

-- One row per message: its idempotency key makes it once-only whatever the
-- number of deliveries of its cause. `params` hold no personal data in the
-- clear (a personal parameter is sealed under the person's key).
CREATE TABLE messages (
    message_id      uuid        PRIMARY KEY,
    idempotency_key text        NOT NULL UNIQUE,
    subject_id      text        NOT NULL,
    kind            text        NOT NULL,
    cause_event_id  uuid,
    params          jsonb       NOT NULL,
    consent_purpose text,
    status          text        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX messages_due_idx ON messages (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX messages_subject_idx ON messages (subject_id, created_at);
