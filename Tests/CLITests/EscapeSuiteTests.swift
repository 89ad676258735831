import Foundation
import Testing

/// Runs every Tests/escape/cases/*.lua through the real `unidesk` binary and checks what its
/// header promises. Serialized: the cases measure wall time against the deadline, and a
/// 2-core machine full of busy-looping children would blur that.
@Suite("Sandbox escape cases", .serialized)
struct EscapeSuiteTests {
    @Test("the escape suite holds at least 45 cases")
    func suiteIsPopulated() {
        #expect(FileManager.default.fileExists(atPath: EscapeCase.directory.path),
                "missing folder \(EscapeCase.directory.path)")
        #expect(EscapeCase.all.count >= 45, "only \(EscapeCase.all.count) cases in \(EscapeCase.directory.path)")
    }

    @Test("escape case", arguments: EscapeCase.all)
    func escapeCase(_ c: EscapeCase) throws {
        #expect(c.problems.isEmpty, "header of \(c.name).lua: \(c.problems.joined(separator: "; "))")
        let fixture = try EscapeFixture(for: c)
        defer { fixture.remove() }
        let r = try fixture.run(c)
        let context = "\(c.name): \(r.summary)"

        #expect(!r.killed, "the process outlived \(c.within)s + 10s and was killed. \(context)")
        #expect(!r.signalled, "the process crashed (signal \(r.exitCode)). \(context)")
        if let want = c.exitCode {
            #expect(r.exitCode == want, "exit code \(r.exitCode), expected \(want). \(context)")
        }
        #expect(r.seconds <= c.within, "took \(String(format: "%.2f", r.seconds))s, allowed \(c.within)s. \(context)")

        let report = fixture.text(at: fixture.reportPath)
        let junit = fixture.text(at: fixture.junitPath)
        // Whatever a case does, the files CI reads must stay parseable.
        if let report {
            #expect((try? JSONSerialization.jsonObject(with: Data(report.utf8))) != nil,
                    "the --report file is not valid JSON:\n\(report.prefix(1500))")
        }
        if let junit {
            #expect(isWellFormedXML(Data(junit.utf8)),
                    "the --junit file is not well-formed XML:\n\(junit.prefix(1500))")
        }
        // ...valid for Jenkins and GitLab, and saying what the exit code says.
        if let report, junit != nil, !r.killed, !r.signalled {
            do {
                let parsed = (try? JSONSerialization.jsonObject(with: Data(report.utf8))) as? [String: Any]
                expectAgreement(r, report: parsed, junit: try JUnitFile(path: fixture.junitPath))
            } catch {
                Issue.record("\(error). \(context)")
            }
        }
        func stream(_ s: EscapeCase.Stream) -> String? {
            switch s {
            case .stdout: return r.stdout
            case .stderr: return r.stderr
            case .report: return report
            }
        }
        for check in c.checks {
            switch check {
            case .contains(let s, let text):
                guard let body = stream(s) else {
                    Issue.record("no \(s.rawValue) was written (expected it to contain '\(text)'). \(context)")
                    continue
                }
                #expect(body.contains(text), "\(s.rawValue) lacks \(String(reflecting: text)). \(context)")
            case .lacks(let s, let text):
                #expect(!(stream(s) ?? "").contains(text), "\(s.rawValue) contains \(String(reflecting: text)). \(context)")
            case .noSecret(let name):
                guard let secret = c.environment[name], !secret.isEmpty else {
                    Issue.record("nosecret=\(name) but the header sets no env \(name)")
                    continue
                }
                let outputs = [("stdout", r.stdout), ("stderr", r.stderr), ("report", report ?? ""), ("junit", junit ?? "")]
                for (where_, body) in outputs {
                    for form in SecretForms.all(secret) where body.contains(form) {
                        Issue.record("the secret of \(name) appears in \(where_) as '\(form)'. \(context)")
                    }
                }
                for leaked in SecretForms.decodedStrings(ofJSON: report).filter({ $0.contains(secret) }) {
                    Issue.record("the report, decoded as JSON, holds the secret of \(name): '\(leaked)'. \(context)")
                }
            case .fileExists(let path):
                #expect(fixture.exists(path), "\(path) was not written. \(context)")
            case .fileAbsent(let path):
                #expect(!fixture.exists(path), "\(path) exists: the script wrote it. \(context)")
            }
        }
    }
}

/// The shapes a secret takes once encoded into the outputs unidesk writes.
enum SecretForms {
    static func all(_ s: String) -> [String] {
        var json = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\t": json += "\\t"
            default: json.unicodeScalars.append(u)
            }
        }
        let xml = s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        return Array(Set([s, json, json.replacingOccurrences(of: "/", with: "\\/"), xml]))
    }

    /// Every string (keys and values) in a JSON document; empty when it is not JSON.
    static func decodedStrings(ofJSON text: String?) -> [String] {
        guard let text, let any = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return [] }
        var out: [String] = []
        func walk(_ v: Any) {
            if let s = v as? String { out.append(s) }
            else if let a = v as? [Any] { a.forEach(walk) }
            else if let d = v as? [String: Any] { for (k, x) in d { out.append(k); walk(x) } }
        }
        walk(any)
        return out
    }
}
