import Testing
@testable import UnideskPostgres

/// The client-side splitter: pure, no server.
extension PostgresTests {
    @Suite struct SQLScriptTests {
        func texts(_ sql: String) -> [String] { SQLScript.split(sql).map(\.text) }

        @Test func quotedSemicolonsDoNotSplit() {
            let sql = """
            select 'a;b' as x;
            select E'it\\'s;' ;
            select 1 as "we;ird", 2 as "a"";b";
            select 'it''s; fine'
            """
            #expect(texts(sql) == [
                "select 'a;b' as x",
                "select E'it\\'s;'",
                "select 1 as \"we;ird\", 2 as \"a\"\";b\"",
                "select 'it''s; fine'",
            ])
        }

        @Test func dollarQuotedBodiesAreOnePiece() {
            let sql = """
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; RETURN 1; END $$;
            DO $body$ BEGIN RAISE NOTICE 'x;y $$ z'; END $body$;
            PREPARE p(int, int) AS SELECT $1 + $2; SELECT a$b FROM t
            """
            let parts = texts(sql)
            #expect(parts.count == 4)
            #expect(parts.first == "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; RETURN 1; END $$")
            #expect(parts.dropFirst().first == "DO $body$ BEGIN RAISE NOTICE 'x;y $$ z'; END $body$")
            #expect(parts.dropFirst(2).first == "PREPARE p(int, int) AS SELECT $1 + $2", "$1 is a parameter, not a dollar quote")
            #expect(parts.last == "SELECT a$b FROM t")
        }

        @Test func commentsAreSkippedAndCommentOnlyChunksDropped() {
            let sql = """
            -- header; with a semicolon
            /* outer /* inner; */ still; comment */
            select 1 /* mid; */ + 2; -- trailing; comment
            /* only a comment */ ;
            ;;
            -- last; comment
            """
            let statements = SQLScript.split(sql)
            #expect(statements.map(\.text) == ["select 1 /* mid; */ + 2"])
            #expect(statements.first?.line == 3)
        }

        @Test func linesAndKeywords() {
            let sql = """
            -- 001_init.sql
            -- creates things

            create table t (id int);
            /* note */ insert into t
              values (1);

            alter   table t add column x int
            """
            let s = SQLScript.split(sql)
            #expect(s.map(\.line) == [4, 5, 8])
            #expect(s.map { Array($0.keywords.prefix(2)) } == [["CREATE", "TABLE"], ["INSERT", "INTO"], ["ALTER", "TABLE"]])
            #expect(s.last?.text == "alter   table t add column x int", "a last statement without semicolon is kept")
        }

        @Test func beginAtomicBodyIsOneStatement() {
            let sql = """
            CREATE FUNCTION add_pos(a int, b int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
              SELECT 1;
              SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;
            END;
            SELECT 2
            """
            let s = SQLScript.split(sql)
            #expect(s.count == 2)
            #expect(s.first?.text.hasSuffix("END + b;\nEND") == true)
            #expect(s.last?.text == "SELECT 2")
            #expect(s.last?.line == 6)
        }

        @Test func lineOfPosition() throws {
            let s = try #require(SQLScript.split("\n\nselect a,\n  b,\n  c from t").first)
            #expect(s.line == 3)
            let text = s.text
            func position(of needle: String) -> Int { text.distance(from: text.startIndex, to: text.range(of: needle)!.lowerBound) + 1 }
            #expect(s.line(ofPosition: 1) == 3)
            #expect(s.line(ofPosition: position(of: "b,")) == 4)
            #expect(s.line(ofPosition: position(of: "c from")) == 5)
        }

        @Test(arguments: [
            ("CREATE INDEX CONCURRENTLY i ON t (x)", true),
            ("create unique index concurrently if not exists i on t (x)", true),
            ("DROP INDEX CONCURRENTLY i", true),
            ("REINDEX TABLE CONCURRENTLY t", true),
            ("VACUUM (ANALYZE) t", true),
            ("CREATE DATABASE d", true),
            ("DROP DATABASE d", true),
            ("ALTER SYSTEM SET work_mem = '8MB'", true),
            ("CREATE INDEX i ON t (x)", false),
            ("ALTER TABLE t ADD COLUMN concurrently_flag int", false),
            ("CREATE TABLE database_log (x int)", false),
            ("select 'VACUUM'", false),
        ])
        func cannotRunInTransaction(sql: String, expected: Bool) throws {
            let s = try #require(SQLScript.split(sql).first)
            #expect(s.cannotRunInTransaction == expected, "\(sql)")
        }

        @Test(arguments: [
            ("BEGIN", true), ("begin isolation level serializable", true), ("START TRANSACTION", true),
            ("COMMIT", true), ("END", true), ("ROLLBACK", true), ("ABORT", true),
            ("SAVEPOINT s", true), ("RELEASE SAVEPOINT s", true), ("PREPARE TRANSACTION 'x'", true),
            ("PREPARE q AS SELECT 1", false), ("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", false), ("select 'commit'", false),
            ("DO $$ BEGIN NULL; END $$", false),
        ])
        func transactionControl(sql: String, expected: Bool) throws {
            let s = try #require(SQLScript.split(sql).first)
            #expect(s.isTransactionControl == expected, "\(sql)")
        }

        @Test(arguments: [
            ("SET ROLE app", true), ("set role to 'app'", true), ("SET SESSION ROLE app", true),
            ("SET LOCAL ROLE app", true), ("RESET ROLE", true), ("SET SESSION AUTHORIZATION app", true),
            ("RESET SESSION AUTHORIZATION", true), ("RESET ALL", true),
            ("SET search_path = app", false), ("SET LOCAL statement_timeout = 0", false), ("select 'set role x'", false),
        ])
        func changesRole(sql: String, expected: Bool) throws {
            let s = try #require(SQLScript.split(sql).first)
            #expect(s.changesRole == expected, "\(sql)")
        }
    }
}
