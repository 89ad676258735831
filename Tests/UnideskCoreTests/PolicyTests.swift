import Testing
@testable import UnideskCore

@Suite struct PolicyTests {
    @Test(arguments: [
        ("kube.apply:unidesk-dev/*", "kube.apply", "unidesk-dev/Deployment/web", true),
        ("kube.apply:unidesk-dev/*", "kube.apply", "prod/Deployment/web", false),
        ("kube.*", "kube.delete", "any/thing", true),
        ("fs.write", "fs.write", "reports/x.json", true),
        ("fs.write:reports/?.json", "fs.write", "reports/ab.json", false),
        ("pg.exec:app@paliad_*", "pg.exec", "app@paliad_app", true),
    ])
    func patterns(_ pattern: String, _ op: String, _ scope: String, _ expected: Bool) throws {
        #expect(try CapabilityPattern(parsing: pattern).matches(Capability(op, scope: scope)) == expected)
    }

    /// Found by Fuzz/CapabilityPattern: a `*` in the pattern met a `*` in the text as a literal,
    /// so `*` did not match `*\0B` and a denial `fs.write:*` did not cover a file named `*x`.
    @Test(arguments: [
        ("*", "* B", true), ("*", "*\u{0}B", true), ("*", "*x", true), ("a*", "a*x", true),
        ("*b", "*xb", true), ("*?", "**", true), ("a*c", "a*b", false),
    ])
    func aStarMatchesTextThatHasAStarInIt(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(Glob.matches(pattern, text) == expected)
        #expect(try CapabilityPattern(parsing: "fs.write:" + pattern).matches(Capability("fs.write", scope: text)) == expected)
    }

    @Test func readsAllowedWritesNeedGrantDenyWins() throws {
        var p = Policy()
        let write = Capability("fs.write", scope: "reports/a.json")
        let read = Capability("registry.head", scope: "127.0.0.1:5000/app")
        #expect(p.decide(read, effect: .read) == .allowed)
        guard case .denied(let why) = p.decide(write, effect: .write) else { Issue.record("ungranted write allowed"); return }
        #expect(why.contains("--allow 'fs.write:reports/*'"), "the message tells how to grant it: \(why)")
        try p.add(allow: ["fs.write:reports/*"], deny: [])
        #expect(p.decide(write, effect: .write) == .allowed)
        try p.add(allow: [], deny: ["fs.*:reports/a.*", "registry.head:127.0.0.1:5000/*"])
        #expect(p.decide(write, effect: .write) != .allowed)
        #expect(p.decide(read, effect: .read) != .allowed, "deny applies to reads too")
    }

    @Test func invalidPatternsAreUsageErrors() {
        #expect(throws: ConfigError.self) { try CapabilityPattern(parsing: "") }
        #expect(throws: ConfigError.self) { try CapabilityPattern(parsing: "kube apply:x") }
    }

    @Test func policyFileLoadsAndRejectsUnknownKeys() throws {
        let t = try TempRecipe(["p.yaml": "allow: ['fs.write:out/*']\ndeny: ['fs.write:out/secret*']\nenv: [CI]\n",
                                "bad.yaml": "allw: ['x']\n"])
        let p = try Policy.load(path: "\(t.dir)/p.yaml")
        #expect(p.allow.map(\.description) == ["fs.write:out/*"])
        #expect(p.env == ["CI"])
        #expect(p.decide(Capability("fs.write", scope: "out/secret.txt"), effect: .write) != .allowed)
        #expect(throws: ConfigError.self) { try Policy.load(path: "\(t.dir)/bad.yaml") }
        #expect(throws: ConfigError.self) { try Policy.load(path: "\(t.dir)/missing.yaml") }
    }

    @Test func redactorMasksEveryRegisteredSecret() {
        let r = Redactor()
        r.register("s3cr3t-token")
        r.register("abc")   // too short to scrub from free text
        #expect(r.scrub("Authorization: Bearer s3cr3t-token; again s3cr3t-token") == "Authorization: Bearer <secret>; again <secret>")
        #expect(r.scrub("abc") == "abc")
    }
}
