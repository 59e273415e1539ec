-- The event store and transactional outbox of one service (architecture.md §5).
-- `events` is both: a service appends here in the same transaction as its
-- change, and the relay publishes from here in `position` order.
CREATE TABLE events (
    position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id       uuid        NOT NULL UNIQUE,
    stream_id      text        NOT NULL,
    stream_version integer     NOT NULL CHECK (stream_version > 0),
    type           text        NOT NULL,
    subject_id     text,
    occurred_at    timestamptz NOT NULL,
    hash           text        NOT NULL,
    data           bytea       NOT NULL,   -- canonical JSON, personal fields encrypted
    traceparent    text,                   -- W3C trace context of the appending request
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_subject_idx ON events (subject_id) WHERE subject_id IS NOT NULL;

-- One row per stream: its version (optimistic concurrency) and the hash of
-- its last event (the next event's prev_hash).
CREATE TABLE streams (
    stream_id text    PRIMARY KEY,
    version   integer NOT NULL,
    last_hash text    NOT NULL
);

-- How far the outbox relay has published, per topic.
CREATE TABLE outbox_relay (
    topic      text        PRIMARY KEY,
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
