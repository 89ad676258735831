import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

struct JUnitCheckError: Error, CustomStringConvertible {
    let description: String
}

/// A --junit file as CI reads it: validated against the JUnit schema Jenkins and GitLab
/// read (Tests/fixtures/junit/junit.xsd, by xmllint), its counts checked against its
/// elements, then parsed.
struct JUnitFile {
    struct Case {
        let suite: String
        let name: String
        let failure: String?
        let skipped: String?
        let systemOut: String?
    }

    let text: String
    let suites: [(name: String, tests: Int, failures: Int, skipped: Int)]
    let cases: [Case]
    let failures: Int

    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../fixtures/junit/junit.xsd").standardized.path

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JUnitCheckError(description: "no JUnit file at \(path)")
        }
        text = String(decoding: data, as: UTF8.self)
        guard isWellFormedXML(data) else { throw JUnitCheckError(description: "not well-formed XML:\n\(text)") }
        if let problems = try Self.schemaProblems(path) {
            throw JUnitCheckError(description: "\(path) does not validate against \(Self.schema):\n\(problems)\n\(text)")
        }
        let doc = try XMLDocument(data: data)
        func int(_ e: XMLElement, _ name: String) -> Int { Int(e.attribute(forName: name)?.stringValue ?? "") ?? -1 }
        func str(_ e: XMLElement, _ name: String) -> String { e.attribute(forName: name)?.stringValue ?? "" }
        let root = try #require(doc.rootElement(), "no root element")
        var suites: [(String, Int, Int, Int)] = []
        var cases: [Case] = []
        for s in root.elements(forName: "testsuite") {
            let mine = s.elements(forName: "testcase").map { c in
                Case(suite: str(s, "name"), name: str(c, "name"),
                     failure: c.elements(forName: "failure").first.map { str($0, "message") },
                     skipped: c.elements(forName: "skipped").first.map { str($0, "message") },
                     systemOut: c.elements(forName: "system-out").first?.stringValue)
            }
            // What a schema cannot say: the counts are those of the elements.
            let counted = (int(s, "tests"), int(s, "failures"), int(s, "skipped"), int(s, "errors"))
            let actual = (mine.count, mine.filter { $0.failure != nil }.count, mine.filter { $0.skipped != nil }.count, 0)
            guard counted == actual else {
                throw JUnitCheckError(description: "testsuite \(str(s, "name")) says tests/failures/skipped/errors \(counted), its elements are \(actual):\n\(text)")
            }
            suites.append((str(s, "name"), counted.0, counted.1, counted.2))
            cases += mine
        }
        let total = (int(root, "tests"), int(root, "failures"), int(root, "errors"))
        guard total == (cases.count, cases.filter { $0.failure != nil }.count, 0) else {
            throw JUnitCheckError(description: "testsuites says tests/failures/errors \(total), the file has \(cases.count) testcases, \(cases.filter { $0.failure != nil }.count) failures:\n\(text)")
        }
        self.suites = suites
        self.cases = cases
        failures = total.1
    }

    func testcase(_ name: String) -> Case? { cases.first { $0.name == name } }

    /// xmllint's complaints, or nil when the file is valid. xmllint is a test dependency
    /// (scripts/install-deps installs libxml2-utils): missing, the test fails.
    static func schemaProblems(_ path: String) throws -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let xmllint = dirs.map({ "\($0)/xmllint" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw JUnitCheckError(description: "xmllint not found in PATH: install libxml2-utils (scripts/install-deps)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: xmllint)
        p.arguments = ["--noout", "--schema", schema, path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let output = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? nil : String(decoding: output, as: UTF8.self)
    }
}

/// The three outputs CI reads say the same thing: the exit code, the report's status and
/// exit_code, and whether the JUnit file has a failure.
func expectAgreement(_ result: CLIResult, report: [String: Any]?, junit: JUnitFile,
                     sourceLocation: SourceLocation = #_sourceLocation) {
    let meaning = [0: "ok", 1: "failed", 2: "usage_error", 3: "denied", 4: "limit", 5: "internal_error"]
    #expect(report?["status"] as? String == meaning[Int(result.exitCode)],
            "exit \(result.exitCode) but the report says \(String(describing: report?["status"]))", sourceLocation: sourceLocation)
    #expect((report?["exit_code"] as? NSNumber)?.int32Value == result.exitCode, sourceLocation: sourceLocation)
    #expect((junit.failures > 0) == (result.exitCode != 0),
            "exit \(result.exitCode) but the JUnit file has \(junit.failures) failures:\n\(junit.text)", sourceLocation: sourceLocation)
}
