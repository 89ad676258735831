import Foundation
import Testing
import UnideskTestSupport

/// `unidesk test --record` against the real registry, HTTP and PostgreSQL of the test stack
/// (scripts/stack/registry-up, pg-up), then `unidesk test` answering from the recordings with
/// the stack out of reach.
@Suite struct RecordReplayTests {
    /// A value of the stack's env files (source /var/tmp/unidesk-dev/env-all.sh): missing is a
    /// failure, never a skip.
    static func stack(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try StackEnvironment.any.value(name, sourceLocation: sourceLocation)
    }

    static let probe = """
        local registry = require "unidesk.registry"
        local http = require "unidesk.http"
        local pg = require "unidesk.pg"
        local M = {}
        function M.artifacts(repo) return registry.head_many({ repo .. ":v1", repo .. ":never-published" }) end
        function M.api(url, auth) return http.get(url, { headers = { Authorization = auth } }) end
        function M.dead(url) return http.get(url, { timeout = 2 }) end
        -- Like a lane's health check: an error becomes a status, so a replay miss is caught here.
        function M.health(url)
          local ok, r = pcall(http.get, url, { timeout = 2 })
          if ok then return r.status end
          return "unreachable (" .. tostring(type(r) == "table" and r.kind or r) .. ")"
        end
        function M.missing_table(dsn)
          return pg.exec { dsn = dsn, sql = "SELECT 1 FROM no_such_table_for_recording", read_only = true }
        end
        return M
        """

    static let probeTest = """
        local test = require "unidesk.test"
        local V = unidesk.vars
        test.replay("registry", "fixtures/registry.recording.json")
        test.replay("http", "fixtures/http.recording.json")
        test.replay("pg", "fixtures/pg.recording.json")
        local probe = test.load("probe")

        test.it("the registry's digest", function()
          local heads = probe.artifacts(V.repo)
          test.eq(heads[1].exists, true)
          test.eq(heads[1].digest, V.digest)
          test.eq(heads[2].exists, false)
        end)
        test.it("an authenticated GET is a response with :json()", function()
          local r = probe.api(V.url, unidesk.env("AUTH"))
          test.eq(r.status, 200)
          test.eq(r:json(), {})
        end)
        test.it("a dead endpoint raises as the primitive did", function()
          local e = test.raises(function() probe.dead(V.dead) end)
          test.eq(e.kind, "network")
          test.truthy(tostring(e):find(V.dead, 1, true), "tostring is the message")
          test.eq(e.where, "probe_test.lua:20", "where is the calling line (probe.dead's is a tail call)")
        end)
        test.it("health is reported, not raised", function()
          test.truthy(probe.health(V.health))
        end)
        test.it("a failed statement is nil, err", function()
          local r, err = probe.missing_table(unidesk.env("UNIDESK_PG_APP_DSN"))
          test.eq(r, nil)
          test.eq(err.sqlstate, "42P01")
          test.truthy(tostring(err):find("no_such_table_for_recording", 1, true), "tostring names the table")
        end)
        """

    struct Setup {
        let dir: TempDir
        let vars: [String]
        let digest: String
        let anon: String
        let environment: [String: String]
        let secrets: [String]
    }

    static func setup() throws -> Setup {
        let dir = try TempDir(prefix: "unidesk-record")
        try dir.write("probe.lua", probe)
        try dir.write("probe_test.lua", probeTest)
        let repo = try stack("UNIDESK_DEMO_REPO"), digest = try stack("UNIDESK_DEMO_DIGEST_V1")
        let user = try stack("UNIDESK_REG_BASIC_USER"), password = try stack("UNIDESK_REG_BASIC_PASSWORD")
        let basic = try stack("UNIDESK_REG_BASIC"), anon = try stack("UNIDESK_REG_ANON")
        let auth = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        let dsn = try stack("UNIDESK_PG_APP_DSN")
        return Setup(
            dir: dir,
            vars: ["--var", "repo=\(repo)", "--var", "digest=\(digest)",
                   // A password inside a URL: known to the run as a --secret-env value.
                   "--var", "url=http://\(user):\(password)@\(basic)/v2/",
                   "--var", "dead=http://127.0.0.1:9/health", "--var", "health=http://\(anon)/v2/",
                   "--secret-env", "AUTH", "--secret-env", "UNIDESK_REG_BASIC_PASSWORD", "--secret-env", "UNIDESK_PG_APP_DSN"],
            digest: digest, anon: anon, environment: ["AUTH": auth],
            secrets: [password, auth, String(auth.dropFirst("Basic ".count)), URLComponents(string: dsn)?.password ?? dsn])
    }

    @Test func recordsRealResponsesThenReplaysThemWithTheStackOutOfReach() throws {
        let s = try Self.setup()
        defer { s.dir.remove() }
        let recorded = try Unidesk.run(["test", "--record", "--allow", "pg.exec:*"] + s.vars, in: s.dir.url, environment: s.environment)
        #expect(recorded.exitCode == 0, "\(recorded.summary)")
        #expect(recorded.stderr.contains("5 passed, 0 failed"), "\(recorded.summary)")
        #expect(recorded.stderr.contains("recorded 1 call of unidesk.registry in fixtures/registry.recording.json"), "\(recorded.summary)")

        let text = try String(contentsOfFile: s.dir.path("fixtures/registry.recording.json"), encoding: .utf8)
        #expect(text.contains("\"digest\": \"\(s.digest)\""), "the real digest is in the recording:\n\(text)")
        #expect(text.hasPrefix("{\n  \"family\": \"registry\",\n  \"recorded_by\""), "pretty, family first:\n\(text.prefix(200))")
        var all = text
        for f in ["http", "pg"] { all += try String(contentsOfFile: s.dir.path("fixtures/\(f).recording.json"), encoding: .utf8) }
        for secret in s.secrets { #expect(!all.contains(secret), "a secret landed in a recording") }
        #expect(all.contains("@127.0.0.1:5001/v2/") && all.contains("\"Authorization\": \"<secret>\"") && all.contains("\"dsn\": \"<secret>\""),
                "the URL, header and DSN are there, masked:\n\(all)")
        #expect(all.contains("\"sqlstate\": \"42P01\"") && all.contains("\"kind\": \"network\""), "nil, err and a raised error are recorded")
        // Recording again gives the same registry file byte for byte: the key order is stable
        // (http responses carry a Date header, so only the registry's answers can be compared).
        let again = try Unidesk.run(["test", "--record", "--allow", "pg.exec:*"] + s.vars, in: s.dir.url, environment: s.environment)
        #expect(again.exitCode == 0, "\(again.summary)")
        #expect(try String(contentsOfFile: s.dir.path("fixtures/registry.recording.json"), encoding: .utf8) == text)
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.dir.path("fixtures")).sorted()
                == ["http.recording.json", "pg.recording.json", "registry.recording.json"], "no temporary files left")

        // Replay: every family denied, the DSN pointing at a closed port, no docker credentials,
        // proxies that go nowhere. A real call would be denied (exit 3) or fail.
        var offline = s.environment
        offline["UNIDESK_PG_APP_DSN"] = "postgresql://nobody:elsewhere@127.0.0.1:9/none"
        offline["DOCKER_CONFIG"] = s.dir.path("no-docker-config")
        for p in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] { offline[p] = "http://127.0.0.1:9" }
        let replayed = try Unidesk.run(["test", "--deny", "registry.*", "--deny", "http.*", "--deny", "pg.*"] + s.vars,
                                       in: s.dir.url, environment: offline)
        #expect(replayed.exitCode == 0, "\(replayed.summary)")
        #expect(replayed.stderr.contains("5 passed, 0 failed in 1 file"), "\(replayed.summary)")
        #expect(!replayed.stderr.contains("denied"), "no real call was attempted: \(replayed.summary)")

        // A changed call fails its test, naming the call, its arguments, the file, and the fix
        // — also where the code under test caught the error (probe.health pcalls).
        let changed = s.vars.map { $0.hasPrefix("health=") ? "health=http://\(s.anon)/v2/changed" : $0 }
        let miss = try Unidesk.run(["test"] + changed, in: s.dir.url, environment: offline)
        #expect(miss.exitCode == 1, "\(miss.summary)")
        #expect(miss.stderr.contains("[FAIL] health is reported, not raised"), "\(miss.summary)")
        #expect(miss.stderr.contains(#"unidesk.http.get("http://"# + s.anon + #"/v2/changed",{"timeout":2}) is not in the recording fixtures/http.recording.json"#), "\(miss.summary)")
        #expect(miss.stderr.contains("re-record with `unidesk test --record .`"), "\(miss.summary)")
        #expect(miss.stderr.contains("4 passed, 1 failed"), "\(miss.summary)")

        // A corrupt recording is an error naming the file.
        try s.dir.write("fixtures/http.recording.json", "{\"family\": \"http\", \"calls\": [")
        let corrupt = try Unidesk.run(["test"] + s.vars, in: s.dir.url, environment: offline)
        #expect(corrupt.exitCode == 1, "\(corrupt.summary)")
        #expect(corrupt.stderr.contains("probe_test.lua:4: test.replay: the recording fixtures/http.recording.json is not valid JSON"), "\(corrupt.summary)")
        #expect(corrupt.stderr.contains("re-record it with `unidesk test --record .`"), "\(corrupt.summary)")
        try s.dir.write("fixtures/http.recording.json", "{\"family\": \"registry\", \"calls\": []}")
        let wrong = try Unidesk.run(["test"] + s.vars, in: s.dir.url, environment: offline)
        #expect(wrong.stderr.contains("the recording fixtures/http.recording.json records unidesk.registry, not unidesk.http"), "\(wrong.summary)")
    }

    @Test func recordingsStayInsideTheTestDirectory() throws {
        let dir = try TempDir(prefix: "unidesk-record-confined")
        defer { dir.remove() }
        let outside = try TempDir(prefix: "unidesk-record-outside")
        defer { outside.remove() }
        try FileManager.default.createSymbolicLink(atPath: dir.path("elsewhere"), withDestinationPath: outside.url.path)
        try dir.write("desired.json", "{\"services\": []}")
        try dir.write("paths_test.lua", """
            local test = require "unidesk.test"
            test.it("up and out", function() test.raises(function() test.replay("registry", "../up.recording.json") end, "'..' component") end)
            test.it("through a symlink", function() test.raises(function() test.replay("registry", "elsewhere/r.recording.json") end, "symlink") end)
            test.it("over a file that is not a recording", function() test.raises(function() test.replay("registry", "desired.json") end, "is not a recording") end)
            test.it("not JSON by name", function() test.raises(function() test.replay("registry", "probe.lua") end, "ends in .json") end)
            """)
        let r = try Unidesk.run(["test", "--record"], in: dir.url)
        #expect(r.exitCode == 0, "\(r.summary)")
        #expect(r.stderr.contains("4 passed, 0 failed"), "\(r.summary)")
        #expect(try String(contentsOfFile: dir.path("desired.json"), encoding: .utf8) == "{\"services\": []}")
        #expect((try FileManager.default.contentsOfDirectory(atPath: outside.url.path)).isEmpty, "nothing written outside")

        let help = try Unidesk.run(["test", "--help"], in: dir.url)
        #expect(help.stdout.contains("--record") && help.stdout.contains("test.replay"), "\(help.summary)")
    }
}
