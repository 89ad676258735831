import Foundation
import Testing

/// Issue 17's rule for a binding: parse → one call into the family's typed API → convert.
/// Waiting, batching and concurrency live in the family module (UnideskKube), where they are
/// tested without Lua; the binding's source holds none of them.
@Suite struct KubeBindingShapeTests {
    static let bindings = ["KubeBinding.swift"]
    /// A loop statement, a sleep, a clock read or a concurrency primitive. Converting the
    /// argument list with map is not a loop over time and is allowed.
    static let forbidden = [#"\bwhile\b"#, #"\brepeat\s*\{"#, #"\bfor\s+(case\b|\(|[A-Za-z_]\w*\s+in\b)"#, #"\.forEach\b"#,
                            #"\b\w*sleep\("#, #"\bThread\b"#, #"\bDispatch\w*"#, #"\bNSLock\b|\bNSCondition\b|\bMutex\b|\bOSAllocatedUnfairLock\b"#,
                            #"\bTask\s*[{(.]"#, #"\bawait\b"#, #"\bDate\(\)"#, #"applyConcurrently|performAll"#]

    @Test func theKubeBindingHoldsNoLoopSleepOrConcurrency() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/UnideskBindings").standardized
        for file in Self.bindings {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for pattern in Self.forbidden where line.range(of: pattern, options: .regularExpression) != nil {
                    Issue.record("\(file):\(n + 1) matches \(pattern): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
    }
}
