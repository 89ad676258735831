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

        /// The password as written, found by scanning: the same as the regular expressions
        /// it replaced (kept here as the reference) on DSNs of every shape.
        @Test func passwordAsWrittenMatchesTheRegularExpressions() {
            func byRegex(_ dsn: String) -> [String] {
                var forms: [String] = []
                if let r = dsn.range(of: #"[?&]password=([^&#]*)"#, options: .regularExpression) {
                    let raw = String(dsn[r].drop { $0 != "=" }.dropFirst())
                    if !raw.isEmpty { forms.append(raw) }
                }
                if let r = dsn.range(of: #"(^|\s)password\s*=\s*('([^'\\]|\\.)*'|\S+)"#, options: .regularExpression) {
                    var raw = String(dsn[r].drop { $0 != "=" }.dropFirst()).trimmingCharacters(in: .whitespaces)
                    if raw.hasPrefix("'") && raw.hasSuffix("'") && raw.count >= 2 { raw = String(raw.dropFirst().dropLast()) }
                    if !raw.isEmpty { forms.append(raw) }
                }
                return forms
            }
            func byScan(_ dsn: String) -> [String] {
                let b = Array(dsn.utf8)
                return [ConnInfo.queryPassword(b), ConnInfo.keywordPassword(b)].compactMap { $0 }.filter { !$0.isEmpty }
            }
            let corpus = [
                "host=h user=u password=plain dbname=d", "password=first", "  password = spaced  dbname=x",
                "password='quoted value' host=h", #"password='it\'s' host=h"#, "password='' host=h", "password='unterminated host=h",
                #"password='ends with backslash\"#, "password=", "password=   ", "sslpassword=nope host=h", "host=h\tpassword=tab",
                "password", "passwordx=1", "user=u password=a password=b", "host=h password =eq", "passwords=no password=yes",
                "postgresql://u@h/db?sslmode=disable&password=p%40ss", "postgresql://u@h/db?password=only", "postgresql://u@h/db?password=",
                "postgresql://u@h/db?password=a&password=b", "postgresql://u@h/db?password=x#frag", "postgresql://u@h/db?xpassword=no",
                "postgresql://u:p%40ss@h/db", "postgres://u@h/db?password=ünïcödé&x=1", "password=ünïcödé host=h", "",
            ]
            for dsn in corpus {
                #expect(byScan(dsn) == byRegex(dsn), "\(dsn)")
            }
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
