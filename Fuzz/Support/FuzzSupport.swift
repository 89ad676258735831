import FuzzDriver
import Foundation

/// The body of the running target: one global, since libFuzzer calls back through a C pointer.
nonisolated(unsafe) private var testOneInput: (([UInt8]) -> Void)?

/// Hands control to libFuzzer (flags, corpus, crash files), calling `body` with each input.
public func runFuzzer(_ body: @escaping ([UInt8]) -> Void) -> Never {
    testOneInput = body
    exit(unidesk_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
        testOneInput?(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    })
}

/// A broken promise of the parser under test: printed, then a crash libFuzzer records.
public func violated(_ what: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    FileHandle.standardError.write(Data("\n==unidesk-fuzz== invariant violated (\(file):\(line)): \(what)\n".utf8))
    abort()
}

/// The input as text when it is valid UTF-8 (most parsers take a String), else nil.
public func utf8Text(_ bytes: [UInt8]) -> String? {
    String(validating: bytes, as: UTF8.self)
}

/// The input cut at its first NUL bytes into `count` parts (missing parts are empty): lets
/// one input carry several strings (a pattern and a text, a key and a value).
public func parts(_ bytes: [UInt8], _ count: Int) -> [[UInt8]] {
    var out = bytes.split(separator: 0, maxSplits: count - 1, omittingEmptySubsequences: false).map(Array.init)
    while out.count < count { out.append([]) }
    return out
}

/// A private scratch directory for targets whose parser reads a file (one per process).
public let scratchDirectory: String = {
    let dir = NSTemporaryDirectory() + "unidesk-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}()

/// Writes `bytes` to `path` with plain POSIX calls: FileManager.createFile writes atomically
/// (temporary file, rename), which is most of the time of a target that reads a config file.
public func writeScratchFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { violated("cannot write the scratch file \(path)") }
    defer { close(fd) }
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    if written != bytes.count { violated("short write of the scratch file \(path)") }
}
