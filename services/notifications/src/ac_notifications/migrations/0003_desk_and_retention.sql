-- [D] #16: whom a notice to a recipient goes to (a client's users), the kind of each desk
-- request (for its messages' words), and when a delivered message's body was removed.
ALTER TABLE contacts ADD COLUMN organization_id text;
CREATE INDEX contacts_organisation_idx ON contacts (organization_id) WHERE organization_id IS NOT NULL;

CREATE TABLE desk_requests (
    request_id uuid    PRIMARY KEY,
    kind       text    NOT NULL,
    account    boolean NOT NULL
);

ALTER TABLE messages ADD COLUMN body_removed_at timestamptz;
CREATE INDEX messages_sent_idx ON messages (sent_at) WHERE status = 'sent' AND body_removed_at IS NULL;
