import Testing
@testable import UnideskCore

/// A `//` in a scope (a snapshot's host path) is covered only by a grant that spells it;
/// deny rules keep matching it like any text, so a broad denial stays broad.
@Suite struct HostPathGrantTests {
    @Test(arguments: [
        // The app grant and wildcards cover the app's engine volumes, never a host path.
        ("snapshot.*:myapp", "myapp", true),
        ("snapshot.*:myapp", "myapp/appdata", false),
        ("snapshot.*:myapp/*", "myapp/appdata", true),
        ("snapshot.*:myapp", "myapp//etc", false),
        ("snapshot.*:myapp/*", "myapp//etc", false),
        ("snapshot.*:myapp*", "myapp//etc", false),
        ("snapshot.*", "myapp//etc", false),
        ("snapshot.*:*", "myapp//srv/data", false),
        ("snapshot.*:*/*", "myapp//srv/data", false),
        ("snapshot.*:m?app//etc", "myapp//etc", true),
        // A host path is granted by a pattern that spells its `//`.
        ("snapshot.*:myapp//srv/data", "myapp//srv/data", true),
        ("snapshot.*:myapp//srv/*", "myapp//srv/data/x", true),
        ("snapshot.*:myapp//srv/*", "myapp//etc", false),
        ("snapshot.*:myapp//*", "myapp//etc", true),
        ("snapshot.*:*//srv/data", "other//srv/data", true),
        ("snapshot.*:myapp//srv/data", "myapp/appdata", false),
    ])
    func grants(_ pattern: String, _ scope: String, _ expected: Bool) throws {
        #expect(try CapabilityPattern(parsing: pattern).grants(Capability("snapshot.take", scope: scope)) == expected)
    }

    @Test func theAppGrantAloneDoesNotCoverAHostPath() throws {
        var p = Policy()
        try p.add(allow: ["snapshot.*:myapp", "snapshot.*:myapp/*"], deny: [])
        #expect(p.decide(Capability("snapshot.take", scope: "myapp/appdata"), effect: .write) == .allowed)
        guard case .denied(let why) = p.decide(Capability("snapshot.take", scope: "myapp//etc"), effect: .write) else {
            Issue.record("a host path was granted by the app's grant"); return
        }
        #expect(why.contains("--allow 'snapshot.take:myapp//etc'"), "the suggestion names the path exactly, not its parent: \(why)")
    }

    @Test func aDenyRuleCoversHostPathsLikeAnyScope() throws {
        var p = Policy()
        try p.add(allow: ["snapshot.*:myapp//*"], deny: ["snapshot.restore"])
        #expect(p.decide(Capability("snapshot.take", scope: "myapp//srv/data"), effect: .write) == .allowed)
        #expect(p.decide(Capability("snapshot.restore", scope: "myapp//srv/data"), effect: .write) != .allowed)
    }

    /// The byte check that lets a scope without `//` skip Foundation's split agrees with it.
    @Test(arguments: ["", "/", "a/b", "a//b", "//", "a///b", "/a/", "ü//x", "a/\u{2215}/b", "x/y/z", "db@app_*"])
    func hostPathMarkIsFoundWhereTheSplitFindsIt(_ s: String) {
        #expect(CapabilityPattern.hasHostPathMark(s) == s.contains(CapabilityPattern.hostPathMark))
    }

    @Test func otherScopesAreGrantedAsBefore() throws {
        for (pattern, op, scope) in [("kube.apply:unidesk-dev/*", "kube.apply", "unidesk-dev/Deployment/web"),
                                     ("fs.write", "fs.write", "reports/x.json"), ("pg.exec:app@paliad_*", "pg.exec", "app@paliad_app"),
                                     ("compose.*:shop/*", "compose.up", "shop/web")] {
            #expect(try CapabilityPattern(parsing: pattern).grants(Capability(op, scope: scope)), "\(pattern) vs \(op):\(scope)")
        }
    }
}
