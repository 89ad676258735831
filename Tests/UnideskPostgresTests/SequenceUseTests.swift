import Testing
@testable import UnideskPostgres

/// What plan mode reads from a statement's text to decide whether it may advance a sequence.
@Suite struct SequenceUseTests {
    func calls(_ sql: String) -> [String] {
        SequenceUse(sql).calls.map { "\($0.function)(\($0.sequence ?? "?"))" }
    }

    func tables(_ sql: String) -> [String] { SequenceUse(sql).filledTables }

    @Test func explicitCallsWithTheirSequence() {
        #expect(calls("SELECT nextval('items_id_seq')") == ["nextval(items_id_seq)"])
        #expect(calls("select setval('public.s', 5, true), nextval ( 'other'::regclass )") == ["setval(public.s)", "nextval(other)"])
        #expect(calls("SELECT pg_catalog.nextval($1)") == ["nextval(?)"], "a sequence passed as a parameter is still a call")
        #expect(calls("ALTER TABLE t ADD COLUMN n bigint DEFAULT nextval('s')") == ["nextval(s)"], "existing rows draw from it")
    }

    @Test func textThatOnlyMentionsNextvalIsNoCall() {
        #expect(calls("SELECT 'nextval(x)', \"nextval\" FROM t -- nextval('s')\n/* setval('s', 1) /* nested */ */") == [])
        #expect(calls("SELECT E'it\\'s nextval(' AS x, currval('s'), lastval()") == [], "currval and lastval read, they do not advance")
        #expect(calls("CREATE OR REPLACE FUNCTION f() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT nextval('s'); END") == [],
                "a function body is defined, not run")
        #expect(calls("CREATE FUNCTION f() RETURNS bigint AS $$ SELECT nextval('s') $$ LANGUAGE sql") == [])
    }

    @Test func tablesRowsAreAddedTo() {
        #expect(tables("INSERT INTO public.\"My \"\"Items\"\"\" (name) VALUES ('x')") == ["public.\"My \"\"Items\"\"\""])
        #expect(tables("insert into items select * from staging") == ["items"])
        #expect(tables("WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved") == ["b"])
        #expect(tables("WITH n AS (INSERT INTO a VALUES (1) RETURNING id) SELECT * FROM n") == ["a"])
        #expect(tables("MERGE INTO ONLY shop.orders o USING incoming i ON o.id = i.id WHEN NOT MATCHED THEN INSERT (n) VALUES (i.n)") == ["shop.orders"])
        #expect(tables("COPY items (name) FROM '/tmp/items.csv'") == ["items"])
        #expect(tables("COPY items TO STDOUT") == [], "COPY … TO reads")
        #expect(tables("COPY (SELECT 1) TO STDOUT") == [])
        #expect(tables("UPDATE ONLY items SET id = DEFAULT WHERE id < 0") == ["items"], "DEFAULT draws a new value")
        #expect(tables("UPDATE items SET name = 'x'") == [])
        #expect(tables("DELETE FROM items") == [])
    }

    @Test func doBlocksAreLookedInto() {
        let use = SequenceUse("DO $body$ BEGIN PERFORM nextval('s'); INSERT INTO audit_log (msg) VALUES ('x'); END $body$")
        #expect(use.calls == [SequenceUse.Call(function: "nextval", sequence: "s")])
        #expect(use.filledTables == ["audit_log"])
        #expect(SequenceUse("DO LANGUAGE plpgsql 'BEGIN INSERT INTO t VALUES (1); END'").filledTables == ["t"])
    }
}
