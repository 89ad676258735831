import Foundation
import Testing

/// What one `unidesk` process did.
struct CLIResult: Sendable {
    let exitCode: Int32
    let stdout: String
    let stderr: String
    let seconds: Double
    /// True when the process outlived its hard timeout and was killed by the test.
    let killed: Bool
    /// True when the process ended by a signal (a crash) instead of exiting.
    let signalled: Bool
    /// stdout as bytes (`stdout` decodes them as UTF-8).
    var stdoutBytes: [UInt8] = []
    var stderrBytes: [UInt8] = []

    /// One line for failure messages: how the run ended and what it printed.
    var summary: String {
        let how = killed ? "KILLED after hard timeout" : signalled ? "terminated by signal \(exitCode)" : "exit \(exitCode)"
        return "\(how) in \(String(format: "%.2f", seconds))s\n--- stdout ---\n\(stdout.prefix(2000))\n--- stderr ---\n\(stderr.prefix(2000))"
    }
}

struct BinaryNotFound: Error, CustomStringConvertible {
    let description: String
}

enum Unidesk {
    /// The `unidesk` executable under test: $UNIDESK_BIN, else the `unidesk` built next to
    /// the running test bundle (.build*/debug/unidesk). Missing → an error, never a skip.
    static func binary() throws -> URL {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["UNIDESK_BIN"], !path.isEmpty {
            guard fm.isExecutableFile(atPath: path) else {
                throw BinaryNotFound(description: "UNIDESK_BIN=\(path) is not an executable file")
            }
            return URL(fileURLWithPath: path)
        }
        var tried: [String] = []
        let starts = [Bundle.main.executableURL, Bundle.main.bundleURL,
                      URL(fileURLWithPath: CommandLine.arguments[0])].compactMap { $0 }
        for start in starts {
            var dir = start.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 {   // Linux: debug/X.xctest; macOS: debug/X.xctest/Contents/MacOS/X
                let candidate = dir.appendingPathComponent("unidesk")
                tried.append(candidate.path)
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue,
                   fm.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw BinaryNotFound(description: """
            the unidesk binary was not found next to the test bundle; build it with the same \
            --scratch-path as the tests (swift build --build-tests builds it) or set UNIDESK_BIN. \
            Looked at: \(tried.joined(separator: ", "))
            """)
    }

    /// Runs `unidesk args…` in `directory`, capturing stdout and stderr (through files, so a
    /// chatty child can never block on a full pipe). The child is killed by its PID when it
    /// outlives `hardTimeout` seconds.
    /// `executable`: another copy of the binary (e.g. one outside any checkout).
    /// `input`: the child's stdin (a file holding it); none: /dev/null.
    static func run(_ arguments: [String], in directory: URL, environment extra: [String: String] = [:],
                    hardTimeout: Double = 30, executable: URL? = nil, input: String? = nil) throws -> CLIResult {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "UNIDESK_STATE_DIR")
        for (k, v) in extra { env[k] = v }
        return try capture(try executable ?? binary(), arguments, in: directory, environment: env, hardTimeout: hardTimeout, input: input)
    }

    /// Runs `executable arguments…` in `directory` with exactly `environment`, stdout and
    /// stderr captured through files (bytes and text); killed by its PID after `hardTimeout`.
    static func capture(_ binary: URL, _ arguments: [String], in directory: URL, environment given: [String: String],
                        hardTimeout: Double, input: String? = nil) throws -> CLIResult {
        // A sanitized test run's settings (scripts/test --sanitize) reach every child, even
        // one given an exact environment: without them a leak report at exit changes its code.
        var env = given
        for name in ["ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"] where env[name] == nil {
            if let v = ProcessInfo.processInfo.environment[name] { env[name] = v }
        }
        let capture = try TempDir(prefix: "unidesk-capture")
        defer { capture.remove() }
        let outURL = capture.url.appendingPathComponent("stdout")
        let errURL = capture.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }

        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = env
        process.currentDirectoryURL = directory
        if let input {
            let inURL = capture.url.appendingPathComponent("stdin")
            try Data(input.utf8).write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        process.standardOutput = out
        process.standardError = err
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }

        let started = DispatchTime.now().uptimeNanoseconds
        try process.run()
        var killed = false
        if done.wait(timeout: .now() + hardTimeout) == .timedOut {
            killed = true
            kill(process.processIdentifier, SIGKILL)
            done.wait()
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let read = { (u: URL) in String(decoding: (try? Data(contentsOf: u)) ?? Data(), as: UTF8.self) }
        return CLIResult(exitCode: process.terminationStatus, stdout: read(outURL), stderr: read(errURL),
                         seconds: seconds, killed: killed,
                         signalled: process.terminationReason == .uncaughtSignal,
                         stdoutBytes: Array((try? Data(contentsOf: outURL)) ?? Data()),
                         stderrBytes: Array((try? Data(contentsOf: errURL)) ?? Data()))
    }
}

/// A fresh directory under the system temp dir; `remove()` deletes it.
struct TempDir: Sendable {
    let url: URL

    /// `base`: another parent than the system temp dir (e.g. a tmpfs, a filesystem of its own).
    init(prefix: String, base: URL = FileManager.default.temporaryDirectory) throws {
        url = base
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    func write(_ relative: String, _ text: String) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
