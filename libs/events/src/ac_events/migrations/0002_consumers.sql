-- What a service's consumer groups have processed (architecture.md §5), stored in the
-- same transaction as the effects of processing it: this, not Kafka's
-- committed offsets, is the truth the consumer runner resumes from.

-- The next offset each group reads in each partition. The runner locks a
-- group's rows for the partitions of a batch before applying it, so a
-- consumer that lost its partitions in a rebalance but is still finishing a
-- batch cannot apply records the new owner has already applied.
CREATE TABLE consumer_offsets (
    group_id    text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL CHECK (partition >= 0),
    next_offset bigint      NOT NULL CHECK (next_offset >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition)
);

-- The idempotency guard: per group and stream, the last stream_version the
-- group applied. Publishing is at least once, and a republished event comes
-- back on a NEW offset; a stream's events share a key, hence a partition, and
-- arrive in order, so an event at or below this version was applied already.
CREATE TABLE consumer_streams (
    group_id   text        NOT NULL,
    producer   text        NOT NULL,
    stream_id  text        NOT NULL,
    version    integer     NOT NULL CHECK (version > 0),
    event_id   uuid        NOT NULL,   -- the last applied event, for inspection
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, producer, stream_id)
);
