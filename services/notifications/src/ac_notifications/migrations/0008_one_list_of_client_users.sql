-- [P] issue 15 and [D] issue 16 each kept the client users of an organisation: one list is
-- kept, `contacts.organization_id` (0003); the other goes.
DROP TABLE client_recipients;
