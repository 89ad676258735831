import Testing
import UnideskData
@testable import UnideskPostgres

/// Result cells decoded by type, and parameters sent apart from the SQL text.
extension PostgresTests {
    @Suite struct TypesTests {
        let stack = PGStack()

        @Test func cellsDecodeByType() throws {
            let c = try stack.admin()
            defer { c.close() }
            let r = try #require(try c.execute("""
                select 7::int2 as small, (-2147483648)::int4 as regular, 9223372036854775807::int8 as big,
                       1.5::float4 as single, 2.25::float8 as double, true as yes, false as no,
                       'héllo wörld'::text as words, 12.30::numeric as money, NULL::int as nothing,
                       '\\x00ff5c'::bytea as raw, ''::bytea as empty
                """, timeout: 10).last)
            #expect(r.columns.map(\.name) == ["small", "regular", "big", "single", "double", "yes", "no", "words", "money", "nothing", "raw", "empty"])
            #expect(r.rows.count == 1)
            #expect(r.rows.first == [
                .int(7), .int(-2_147_483_648), .int(.max), .double(1.5), .double(2.25), .bool(true), .bool(false),
                .text("héllo wörld"), .text("12.30"), .null, .bytes([0x00, 0xff, 0x5c]), .bytes([]),
            ])
        }

        @Test func floatSpecialValues() throws {
            let c = try stack.admin()
            defer { c.close() }
            let row = try #require(try c.execute("select 'Infinity'::float8, '-Infinity'::float4, 'NaN'::float8, 'NaN'::float4", timeout: 10).last?.rows.first)
            #expect(row.count == 4)
            #expect(row.first == .double(.infinity))
            #expect(row.dropFirst().first == .double(-.infinity))
            for v in row.dropFirst(2) {
                guard case .double(let d) = v else { Issue.record("NaN decoded as \(v)"); continue }
                #expect(d.isNaN)
            }
        }

        @Test func jsonAndJsonbDecodeToData() throws {
            let c = try stack.admin()
            defer { c.close() }
            let row = try #require(try c.execute("""
                select '{"z": [1, 2.5, {"deep": null}], "a": "x", "t": true}'::jsonb, '[1, "two", {"b": [], "a": {}}]'::json, 'null'::jsonb
                """, timeout: 10).last?.rows.first)
            // jsonb stores keys sorted (shorter first); json keeps the text as written.
            #expect(row.first == .json(.object([
                ("a", .string("x")), ("t", .bool(true)), ("z", .array([.int(1), .double(2.5), .object([("deep", .null)])])),
            ])))
            #expect(row.dropFirst().first == .json(.array([.int(1), .string("two"), .object([("b", .array([])), ("a", .object([]))])])))
            #expect(row.last == .json(.null), "a JSON null is a value, not SQL NULL")
        }

        @Test func parametersRoundTrip() throws {
            let c = try stack.admin()
            defer { c.close() }
            let doc: DataValue = .object([("k", .array([.int(1), .string("ü"), .bool(false), .null])), ("n", .double(0.25))])
            let sent: [PGValue] = [
                .int(-9_007_199_254_740_993), .double(0.1), .bool(true), .text("ünïcode \"q\" \\ 'x'"), .json(doc),
                .bytes([0, 1, 0x5c, 0x27, 0xff, 0]), .null,
            ]
            let r = try #require(try c.execute("select $1::int8, $2::float8, $3::bool, $4::text, $5::jsonb, $6::bytea, $7::text",
                                               parameters: sent, timeout: 10).last)
            #expect(r.rows.first == sent)

            let special = try #require(try c.execute("select $1::float8, $2::float8, $3::float8", parameters: [.double(.infinity), .double(-.infinity), .double(.nan)], timeout: 10).last?.rows.first)
            #expect(special.prefix(2) == [.double(.infinity), .double(-.infinity)])
            if case .double(let d) = special.last { #expect(d.isNaN) } else { Issue.record("NaN came back as \(String(describing: special.last))") }
        }

        @Test func textParameterIsNeverInterpolated() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_inject")
            try c.exec("create table \(t) (v text)")
            defer { stack.cleanup("drop table if exists \(t)") }
            let hostile = "'; DROP TABLE \(t); --"
            let r = try #require(try c.execute("insert into \(t) (v) values ($1)", parameters: [.text(hostile)], timeout: 10).last)
            #expect(r.command == "INSERT 0 1")
            #expect(r.affected == 1)
            #expect(try c.exists(t))
            #expect(try c.scalar("select v from \(t)") == .text(hostile))
        }

        @Test func commandTagsAndAffectedRows() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_tags")
            let created = try c.execute("create table \(t) (id int)", timeout: 10)
            defer { stack.cleanup("drop table if exists \(t)") }
            #expect(created.last?.command == "CREATE TABLE")
            #expect(created.last?.affected == nil)
            let results = try c.execute("insert into \(t) select generate_series(1, 3); update \(t) set id = id + 10 where id > 1; select * from \(t) order by id", timeout: 10)
            #expect(results.map(\.command) == ["INSERT 0 3", "UPDATE 2", "SELECT 3"])
            #expect(results.map(\.affected) == [3, 2, 3])
            #expect(results.last?.rows == [[.int(1)], [.int(12)], [.int(13)]])
        }
    }
}
