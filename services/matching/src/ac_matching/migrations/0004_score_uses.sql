-- [E] issue 18: a score is a use of the student's data for `vacancy_assessment`; it is
-- stored with the consent decision that allowed it (a `UseRef`, JSON), and `MatchScored`
-- cites it. Scores stored before this have none (recorded as "no decision cited").
ALTER TABLE scores ADD COLUMN use_ref jsonb;
