-- 001: accounts
BEGIN;
CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL, note text DEFAULT 'it''s; fine');
INSERT INTO accounts (name) VALUES (E'back\\slash\'; quote'), ($$dollar; body$$);
/* nested /* comment; */ still comment; */
CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
CREATE OR REPLACE FUNCTION g() RETURNS trigger AS $fn$ BEGIN RETURN NEW; END; $fn$ LANGUAGE plpgsql;
CREATE INDEX CONCURRENTLY idx ON accounts ("Name;quoted");
COMMIT;
VACUUM accounts
