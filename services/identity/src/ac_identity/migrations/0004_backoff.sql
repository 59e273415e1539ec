-- Failed passwords as a delay that grows (issue 14, items 2 and 5), instead of a lock of a
-- minute after five failures per username, which let anyone lock anyone out. Keys:
-- `login:<username index>:<source digest>`, `account:<username index>`,
-- `reauth:<subject>`. A source is a client address, kept only as an HMAC.
CREATE TABLE failures (
    key     text        PRIMARY KEY,
    count   integer     NOT NULL,
    last_at timestamptz NOT NULL
);
CREATE INDEX failures_last_idx ON failures (last_at);

-- The sources an account signed in from (last 30 days): the account-wide back-off spares them.
CREATE TABLE known_sources (
    username_index text        NOT NULL,
    source         text        NOT NULL,
    seen_at        timestamptz NOT NULL,
    PRIMARY KEY (username_index, source)
);

DROP TABLE login_failures;
