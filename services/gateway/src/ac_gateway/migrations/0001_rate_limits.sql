-- The gateway's rate limits, shared by every replica (issue 14, item 5): one counter per
-- (bucket, key, minute). A key is an HMAC of what it counts (a client address, with a
-- username for sign-ins), never the address itself. Windows older than two minutes are
-- pruned.
CREATE TABLE rate_counters (
    bucket       text        NOT NULL,
    key          text        NOT NULL,
    window_start timestamptz NOT NULL,
    count        integer     NOT NULL,
    PRIMARY KEY (bucket, key, window_start)
);
CREATE INDEX rate_counters_window_idx ON rate_counters (window_start);
