import Foundation
import Testing

/// One file of Tests/escape/cases: a Lua script whose leading comment states what must
/// happen when it runs.
///
///     -- expect: exit=4 stderr~deadline within=2
///     -- args: --timeout 1
///     -- env: TOKEN=value with anything up to the end of the line
///     -- command: plan
///
/// Expectations: `exit=N`; `within=SECONDS` (wall time, default 10); `stdout~X`, `stdout!~X`,
/// `stderr~X`, `stderr!~X` (contains / must not contain); `report~X` (the --report file
/// exists and contains X); `nosecret=NAME` (the value of env NAME appears in no output:
/// stdout, stderr, report, JUnit, raw or JSON/XML-escaped); `file=PATH` / `nofile=PATH`
/// (relative to the run's temp root, which holds recipe/, state/ and outside/).
/// In X, `\s` is a space, `\xHH` a byte, `\\` a backslash. `${NAME}` in args is replaced by
/// the env value. Unknown keys are an error, so a typo cannot pass silently.
struct EscapeCase: Sendable, CustomTestStringConvertible {
    enum Stream: String, Sendable { case stdout, stderr, report }
    enum Check: Sendable, Equatable {
        case contains(Stream, String)
        case lacks(Stream, String)
        case noSecret(String)
        case fileExists(String)
        case fileAbsent(String)
    }

    let name: String
    let url: URL
    let source: String
    var command = "run"
    var exitCode: Int32?
    var within: Double = 10
    var arguments: [String] = []
    var environment: [String: String] = [:]
    var checks: [Check] = []
    /// Header problems (unknown keys, missing exit): reported as test failures.
    var problems: [String] = []

    var testDescription: String { name }

    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("escape/cases", isDirectory: true)

    /// Every case, sorted by name. Empty if the folder is missing (a separate test fails then).
    static let all: [EscapeCase] = {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "lua" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { EscapeCase(url: $0) }
    }()

    init(url: URL) {
        self.url = url
        name = url.deletingPathExtension().lastPathComponent
        source = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        var rawArgs: [String] = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("--") else { break }
            let text = line.dropFirst(2).drop { $0 == " " }
            guard let colon = text.firstIndex(of: ":") else { continue }
            let key = text[..<colon]
            let value = String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            switch key {
            case "expect": value.split(separator: " ").forEach { parseExpectation(String($0)) }
            case "args": rawArgs += value.split(separator: " ").map(String.init)
            case "env":
                guard let eq = value.firstIndex(of: "=") else { problems.append("bad env line: \(value)"); continue }
                environment[String(value[..<eq])] = String(value[value.index(after: eq)...])
            case "command": command = value
            default: continue   // free-text comment lines such as "-- why: …"
            }
        }
        arguments = rawArgs.map { arg in
            environment.reduce(arg) { $0.replacingOccurrences(of: "${\($1.key)}", with: $1.value) }
        }
        if exitCode == nil { problems.append("the header has no 'exit=N' expectation") }
    }

    private mutating func parseExpectation(_ token: String) {
        func value(after prefix: String) -> String? {
            token.hasPrefix(prefix) ? Self.unescape(String(token.dropFirst(prefix.count))) : nil
        }
        if let v = value(after: "exit="), let n = Int32(v) { exitCode = n }
        else if let v = value(after: "within="), let s = Double(v) { within = s }
        else if let v = value(after: "stdout!~") { checks.append(.lacks(.stdout, v)) }
        else if let v = value(after: "stderr!~") { checks.append(.lacks(.stderr, v)) }
        else if let v = value(after: "report!~") { checks.append(.lacks(.report, v)) }
        else if let v = value(after: "stdout~") { checks.append(.contains(.stdout, v)) }
        else if let v = value(after: "stderr~") { checks.append(.contains(.stderr, v)) }
        else if let v = value(after: "report~") { checks.append(.contains(.report, v)) }
        else if let v = value(after: "nosecret=") { checks.append(.noSecret(v)) }
        else if let v = value(after: "nofile=") { checks.append(.fileAbsent(v)) }
        else if let v = value(after: "file=") { checks.append(.fileExists(v)) }
        else { problems.append("unknown expectation '\(token)'") }
    }

    static func unescape(_ s: String) -> String {
        var out = [UInt8]()
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            guard b == UInt8(ascii: "\\"), let next = bytes.first else { out.append(b); continue }
            switch next {
            case UInt8(ascii: "s"): out.append(0x20); bytes.removeFirst()
            case UInt8(ascii: "\\"): out.append(b); bytes.removeFirst()
            case UInt8(ascii: "x") where bytes.count >= 3:
                if let v = UInt8(String(decoding: bytes.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
                    out.append(v); bytes.removeFirst(3)
                } else { out.append(b) }
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
