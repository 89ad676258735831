import Foundation
import Testing

/// One file of Tests/fidelity/cases: a plain Lua 5.4 script that prints what it checks. It
/// runs under `lua5.4` and under `unidesk run`, and stdout must be the same bytes. A case
/// whose leading comment has `-- differs: <reason>` documents an intended difference (listed
/// in docs/sandbox.md, "Differences from stock Lua 5.4"): unidesk's stdout must then be
/// exactly the sibling `<case>.unidesk.out`, and lua5.4's must differ from it.
struct FidelityCase: Sendable, CustomTestStringConvertible {
    let name: String
    let url: URL
    /// The `-- differs:` reason, nil for a case that must match stock Lua byte for byte.
    let differs: String?
    /// `<case>.unidesk.out`, when it exists.
    let expectedUnideskOutput: Data?

    var testDescription: String { name }

    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fidelity/cases", isDirectory: true)

    static let all: [FidelityCase] = {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "lua" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { FidelityCase(url: $0) }
    }()

    init(url: URL) {
        self.url = url
        name = url.deletingPathExtension().lastPathComponent
        let source = (try? Data(contentsOf: url)) ?? Data()
        // Only the leading comment block counts: a `-- differs:` further down is code's business.
        var reason: String?
        for line in source.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix("--") else { break }
            if text.hasPrefix("-- differs:") {
                reason = text.dropFirst("-- differs:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        differs = reason
        expectedUnideskOutput = try? Data(contentsOf: url.deletingPathExtension().appendingPathExtension("unidesk.out"))
    }
}

/// What one process wrote, as bytes: the comparison is byte for byte, so nothing may decode it.
struct ByteRun: Sendable {
    let exitCode: Int32
    let stdout: Data
    let stderr: Data
    let killed: Bool
    let signalled: Bool

    var how: String {
        killed ? "KILLED after the hard timeout" : signalled ? "terminated by signal \(exitCode)" : "exit \(exitCode)"
    }
}

enum Fidelity {
    /// `lua5.4` from $LUA54_BIN or the PATH. Missing → an error naming the package, never a skip.
    static func lua() throws -> URL {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["LUA54_BIN"], !path.isEmpty {
            guard fm.isExecutableFile(atPath: path) else {
                throw BinaryNotFound(description: "LUA54_BIN=\(path) is not an executable file")
            }
            return URL(fileURLWithPath: path)
        }
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for dir in dirs {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("lua5.4")
            if fm.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BinaryNotFound(description: """
            lua5.4 is not on the PATH: the fidelity cases compare unidesk with the stock interpreter. \
            Install it (apt-get install lua5.4) or set LUA54_BIN.
            """)
    }

    /// Runs `executable arguments…` in `directory` with exactly `environment` (Unidesk.capture).
    static func run(_ executable: URL, _ arguments: [String], in directory: URL,
                    environment: [String: String], hardTimeout: Double = 60) throws -> ByteRun {
        let r = try Unidesk.capture(executable, arguments, in: directory, environment: environment, hardTimeout: hardTimeout)
        return ByteRun(exitCode: r.exitCode, stdout: Data(r.stdoutBytes), stderr: Data(r.stderrBytes),
                       killed: r.killed, signalled: r.signalled)
    }

    /// The environment both interpreters get: LUA_INIT would run code before the case in
    /// lua5.4 only, so it is removed; no colour, no inherited state directory.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["LUA_INIT", "LUA_INIT_5_4", "LUA_PATH", "LUA_PATH_5_4", "LUA_CPATH", "LUA_CPATH_5_4", "UNIDESK_STATE_DIR"] {
            env.removeValue(forKey: key)
        }
        env["NO_COLOR"] = "1"
        return env
    }

    /// nil when `a == b`; else where they first differ: byte offset, line number, and both lines
    /// shown with non-printable bytes as \xNN.
    static func firstDifference(_ a: Data, _ b: Data, aName: String, bName: String) -> String? {
        if a == b { return nil }
        let x = [UInt8](a), y = [UInt8](b)
        var offset = 0
        while offset < x.count, offset < y.count, x[offset] == y[offset] { offset += 1 }
        let line = x[..<offset].filter { $0 == UInt8(ascii: "\n") }.count + 1
        let lineStart = x[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        func lineAt(_ bytes: [UInt8]) -> String {
            guard lineStart < bytes.count else { return "<ends before this line>" }
            let end = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            return visible(bytes[lineStart..<end]) + (end == bytes.count ? " <no newline, end of output>" : "")
        }
        return """
            first difference at byte offset \(offset), line \(line) \
            (\(aName) \(x.count) bytes, \(bName) \(y.count) bytes)
              \(aName): \(lineAt(x))
              \(bName): \(lineAt(y))
            """
    }

    static func visible<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = ""
        for b in bytes {
            switch b {
            case UInt8(ascii: "\t"): s += "\\t"
            case UInt8(ascii: "\\"): s += "\\\\"
            case 0x20..<0x7f: s.unicodeScalars.append(Unicode.Scalar(b))
            default: s += String(format: "\\x%02x", b)
            }
        }
        return s
    }
}

/// Runs every Tests/fidelity/cases/*.lua under lua5.4 and `unidesk run` and compares stdout
/// byte for byte, so the sandbox differs from stock Lua 5.4 only where docs/sandbox.md says.
@Suite("Lua fidelity: lua5.4 and unidesk run print the same bytes")
struct LuaFidelityTests {
    @Test("the fidelity suite holds at least 30 cases, each difference with its expected output")
    func suiteIsPopulated() throws {
        #expect(FidelityCase.all.count >= 30, "only \(FidelityCase.all.count) cases in \(FidelityCase.directory.path)")
        for c in FidelityCase.all {
            if c.differs != nil {
                #expect(c.expectedUnideskOutput != nil, "\(c.name).lua says '-- differs:' but \(c.name).unidesk.out is missing")
            } else {
                #expect(c.expectedUnideskOutput == nil, "\(c.name).unidesk.out exists but \(c.name).lua has no '-- differs:' line")
            }
        }
        let outs = (try FileManager.default.contentsOfDirectory(atPath: FidelityCase.directory.path))
            .filter { $0.hasSuffix(".unidesk.out") }
        for out in outs {
            let caseName = String(out.dropLast(".unidesk.out".count))
            #expect(FidelityCase.all.contains { $0.name == caseName }, "\(out) has no \(caseName).lua")
        }
    }

    @Test("fidelity case", arguments: FidelityCase.all)
    func fidelityCase(_ c: FidelityCase) throws {
        let lua = try Fidelity.lua()
        let unidesk = try Unidesk.binary()
        let state = try TempDir(prefix: "unidesk-fidelity-state")
        defer { state.remove() }
        let file = c.url.lastPathComponent
        // Both run in the cases' folder with the bare file name, so positions in error
        // messages read `case.lua:N` for both.
        let stock = try Fidelity.run(lua, [file], in: FidelityCase.directory, environment: Fidelity.environment)
        let ours = try Fidelity.run(unidesk, ["run", file, "--no-color", "--state-dir", state.url.path],
                                    in: FidelityCase.directory, environment: Fidelity.environment)
        let stockErr = String(decoding: stock.stderr.prefix(2000), as: UTF8.self)
        let oursErr = String(decoding: ours.stderr.prefix(2000), as: UTF8.self)
        #expect(!stock.killed && !stock.signalled && stock.exitCode == 0,
                "lua5.4 \(file): \(stock.how); a case must run cleanly under stock Lua. stderr:\n\(stockErr)")
        #expect(!ours.killed && !ours.signalled && ours.exitCode == 0,
                "unidesk run \(file): \(ours.how). stderr:\n\(oursErr)")

        if let reason = c.differs {
            let expected = c.expectedUnideskOutput ?? Data()
            if let diff = Fidelity.firstDifference(expected, ours.stdout, aName: "\(c.name).unidesk.out", bName: "unidesk") {
                Issue.record("\(file) (differs: \(reason)): unidesk's stdout is not \(c.name).unidesk.out: \(diff)\nstderr:\n\(oursErr)")
            }
            #expect(stock.stdout != expected,
                    "\(file) says '-- differs:' but lua5.4 prints exactly \(c.name).unidesk.out: the difference is gone, drop the marker, the .unidesk.out file and its row in docs/sandbox.md")
        } else if let diff = Fidelity.firstDifference(stock.stdout, ours.stdout, aName: "lua5.4", bName: "unidesk") {
            Issue.record("\(file): unidesk's stdout differs from lua5.4's: \(diff)\nunidesk stderr:\n\(oursErr)")
        }
    }

    @Test("the byte comparison names the first differing offset and line")
    func firstDifferenceIsPrecise() {
        #expect(Fidelity.firstDifference(Data("a\nb\n".utf8), Data("a\nb\n".utf8), aName: "x", bName: "y") == nil)
        let diff = Fidelity.firstDifference(Data([0x61, 0x0a, 0xe1, 0xff, 0x0a]), Data([0x61, 0x0a, 0xef, 0xbf, 0xbd, 0x0a]),
                                            aName: "lua5.4", bName: "unidesk") ?? ""
        #expect(diff.contains("byte offset 2, line 2"), "\(diff)")
        #expect(diff.contains("lua5.4: \\xe1\\xff"), "\(diff)")
        #expect(diff.contains("unidesk: \\xef\\xbf\\xbd"), "\(diff)")
        let shorter = Fidelity.firstDifference(Data("a\nb\n".utf8), Data("a\n".utf8), aName: "x", bName: "y") ?? ""
        #expect(shorter.contains("byte offset 2, line 2") && shorter.contains("y: <ends before this line>"), "\(shorter)")
    }
}
