import Testing
@testable import UnideskPostgres

/// Reading a DSN without connecting: its options, the password forms to redact, the scope.
extension PostgresTests {
    @Suite struct ConnInfoTests {
        @Test func parsesURIAndKeyValue() throws {
            let uri = try ConnInfo(parsing: "postgresql://alice:pw@db.example:5433/shop?sslmode=disable&connect_timeout=4")
            #expect(uri.options["user"] == "alice")
            #expect(uri.options["password"] == "pw")
            #expect(uri.options["host"] == "db.example")
            #expect(uri.options["port"] == "5433")
            #expect(uri.options["dbname"] == "shop")
            #expect(uri.options["sslmode"] == "disable")
            #expect(uri.options["connect_timeout"] == "4")

            let kv = try ConnInfo(parsing: "host=h port=6000 dbname='my db' user=bob")
            #expect(kv.options["host"] == "h")
            #expect(kv.options["port"] == "6000")
            #expect(kv.options["dbname"] == "my db")
            #expect(kv.options["user"] == "bob")
            #expect(kv.options["password"] == nil)
        }

        @Test(arguments: [
            "host=x password=s3cretXYZ dbname",                  // missing '=' after the last key
            "host=x password='s3cretXYZ",                        // unterminated quote
            "postgresql://u:s3cretXYZ@[::1/db",                  // unterminated IPv6 host: libpq quotes the whole URI
            "postgresql://u:s3cretXYZ%zz@h/db",                  // bad percent escape: libpq quotes the password
            "postgresql://u:s3cretXYZ@h/db?nosuchoption=1",
        ])
        func malformedDSNIsInvalidWithoutThePassword(dsn: String) throws {
            let e = try #require(pgError { try ConnInfo(parsing: dsn) })
            #expect(e.kind == .invalid)
            #expect(e.message.hasPrefix("invalid DSN"))
            #expect(!e.message.contains("s3cret"), "the message quotes the password: \(e.message)")
        }

        /// libpq quotes the offending token; a password holding a double quote ends that
        /// quote early, and the rest of the password shows.
        @Test func malformedDSNWithAQuoteInThePasswordKeepsItOut() throws {
            let e = try #require(pgError { try ConnInfo(parsing: #"postgresql://u:ab"cdefXYZ%zz@h/db"#) })
            #expect(e.kind == .invalid)
            #expect(!e.message.contains("cdefXYZ"), "the message shows part of the password: \(e.message)")
        }

        @Test func passwordFormsOfAURI() {
            let forms = ConnInfo.passwordForms(in: "postgresql://u:p%40ss@h/db")
            #expect(forms.contains("p@ss"))
            #expect(forms.contains("p%40ss"))
            #expect(ConnInfo.passwordForms(in: "host=h user=u password=plain dbname=d") == ["plain"])
            #expect(ConnInfo.passwordForms(in: "postgresql://u@h/db").isEmpty)
            #expect(ConnInfo.passwordForms(in: "host=h user=u").isEmpty)
        }

        /// A URI may carry the password as a query parameter, percent-encoded too; the
        /// form as written must be redacted as well as the decoded one.
        @Test func passwordFormsOfAURIQueryParameter() {
            let forms = ConnInfo.passwordForms(in: "postgresql://u@h/db?sslmode=disable&password=p%40ss")
            #expect(forms.contains("p@ss"))
            #expect(forms.contains("p%40ss"), "the percent-encoded password in the query is not redacted: \(forms)")
        }

        @Test func scopeFallsBackToTheEnvironment() throws {
            let env = ["PGUSER": "envuser", "PGDATABASE": "envdb"]
            let bare = try ConnInfo(parsing: "host=h")
            #expect(bare.scope(overrides: [:], environment: env) == "envdb@envuser")
            #expect(bare.scope(overrides: ["dbname": "other"], environment: env) == "other@envuser")
            #expect(bare.scope(overrides: [:], environment: ["PGUSER": "solo"]) == "solo@solo", "the database defaults to the user")

            let full = try ConnInfo(parsing: "postgresql://alice@h/shop")
            #expect(full.scope(overrides: [:], environment: env) == "shop@alice")
            #expect(full.scope(overrides: ["dbname": "other"], environment: env) == "other@alice")

            let service = try ConnInfo(parsing: "service=unidesk")
            #expect(service.scope(overrides: [:], environment: ["PGUSER": "envuser"]) == "service:unidesk@envuser")
            #expect(bare.scope(overrides: [:], environment: ["PGSERVICE": "svc", "PGUSER": "u"]) == "service:svc@u")
            #expect(bare.scope(overrides: [:], environment: [:]) == "\(ConnInfo.osUser)@\(ConnInfo.osUser)")
        }
    }
}
