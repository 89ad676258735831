import Foundation
import Testing

/// Issue 17's rule for a binding: parse → one call into the family's typed API → convert.
/// Waiting, sleeping, clocks and concurrency live in the family modules and UnideskCore
/// (`KubeClient.wait`, `SystemClock.sleep`), where they are tested without Lua; no file in
/// Sources/UnideskBindings holds any of them.
@Suite struct BindingShapeTests {
    /// A loop that runs until a condition (a poll, a wait), a sleep, a clock read or a
    /// concurrency primitive. `for … in` and `map` over values already in hand (the
    /// arguments, a result, the targets of one call) are conversions: they end with the
    /// values and cannot wait, so they are allowed.
    static let forbidden = [#"\bwhile\b"#, #"\brepeat\s*\{"#,
                            #"(?<![.\w])(nano|u)?sleep\("#, #"\bThread\b"#, #"\bDispatch\w*"#, #"\bNSLock\b|\bNSCondition\b|\bMutex\b|\bOSAllocatedUnfairLock\b"#,
                            #"\bTask\s*[{(.]"#, #"\bawait\b"#, #"\bDate\(\)"#, #"\b(Continuous|Suspending)Clock\b|\bclock_gettime\b|\bsystemUptime\b|\bCFAbsoluteTimeGetCurrent\b"#,
                            #"applyConcurrently|performAll"#]

    static var bindingsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/UnideskBindings").standardized
    }

    @Test func noBindingFileHoldsALoopASleepOrAConcurrencyPrimitive() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.bindingsDirectory.path).filter { $0.hasSuffix(".swift") }.sorted()
        // The listing found the bindings (a wrong path must not pass as "nothing found").
        #expect(files.contains("KubeBinding.swift") && files.contains("TimeBinding.swift"))
        for file in files {
            let text = try String(contentsOf: Self.bindingsDirectory.appendingPathComponent(file), encoding: .utf8)
            for hit in Self.hits(in: text) {
                Issue.record("\(file):\(hit.line) matches \(hit.pattern): \(hit.text)")
            }
        }
    }

    /// The check flags what the bindings held before issue 17 moved it out: time.sleep's
    /// poll of the monotonic clock around nanosleep, and kube.wait's poll with Date() and
    /// Thread.sleep.
    @Test func theCheckFlagsTheOldTimeAndKubeWaits() {
        let oldSleep = """
            let until = DispatchTime.now().uptimeNanoseconds + UInt64(want * 1e9)
            while DispatchTime.now().uptimeNanoseconds < until {
                nanosleep(&ts, nil)
            }
            """
        #expect(Set(Self.hits(in: oldSleep).map(\.line)) == [1, 2, 3])
        let oldWait = """
            let deadline = Date().addingTimeInterval(total)
            repeat {
                Thread.sleep(forTimeInterval: interval)
            } while Date() < deadline
            """
        #expect(Set(Self.hits(in: oldWait).map(\.line)) == [1, 2, 3, 4])
        #expect(Self.hits(in: "let t = SystemClock.wallSeconds()\nSystemClock.sleep(d)").isEmpty)
    }

    /// Words in a string literal or a comment are prose (a summary saying "polls … while"),
    /// not code: they are not flagged; the code around them still is.
    @Test func stringsAndCommentsAreNotCode() {
        let text = ##"""
            summary: "Retries while the server says 503", // waits while …
            example: #"while true do time.sleep(1) end"#, /* Thread.sleep */
            doc: """
              repeat { Date() }
              """, while
            """##
        #expect(Self.hits(in: text).map(\.line) == [5])
    }

    struct Hit { let line: Int; let pattern: String; let text: String }

    static func hits(in source: String) -> [Hit] {
        let code = codeOnly(source).split(separator: "\n", omittingEmptySubsequences: false)
        let original = source.split(separator: "\n", omittingEmptySubsequences: false)
        return code.enumerated().flatMap { n, line in
            forbidden.filter { line.range(of: $0, options: .regularExpression) != nil }.map {
                Hit(line: n + 1, pattern: $0, text: original[n].trimmingCharacters(in: .whitespaces))
            }
        }
    }

    /// The source with comments and string literals (plain, multi-line and raw, with their
    /// interpolations) blanked out, line breaks kept so that line numbers still match.
    static func codeOnly(_ source: String) -> String {
        let s = Array(source)
        func at(_ k: Int, _ text: String) -> Bool {
            let t = Array(text)
            return k + t.count <= s.count && Array(s[k..<k + t.count]) == t
        }
        /// The end of the string literal that starts at `start`, or nil when none does.
        func stringEnd(_ start: Int) -> Int? {
            var hashes = 0
            while start + hashes < s.count && s[start + hashes] == "#" { hashes += 1 }
            guard start + hashes < s.count, s[start + hashes] == "\"" else { return nil }
            let pounds = String(repeating: "#", count: hashes)
            let multi = at(start + hashes, "\"\"\"")
            let close = (multi ? "\"\"\"" : "\"") + pounds
            var k = start + hashes + (multi ? 3 : 1)
            while k < s.count {
                if at(k, close) { return k + close.count }
                if s[k] == "\\" && at(k + 1, pounds) {
                    let j = k + 1 + hashes
                    k = j < s.count && s[j] == "(" ? interpolationEnd(j) : j + 1
                } else {
                    k += 1
                }
            }
            return s.count
        }
        /// The end of `\(…)`: parentheses balanced, string literals inside skipped whole.
        func interpolationEnd(_ open: Int) -> Int {
            var depth = 0, k = open
            while k < s.count {
                if s[k] == "\"" || s[k] == "#", let e = stringEnd(k) { k = e; continue }
                if s[k] == "(" { depth += 1 }
                if s[k] == ")" { depth -= 1; if depth == 0 { return k + 1 } }
                k += 1
            }
            return s.count
        }
        func blanked(_ r: Range<Int>) -> String { String(s[r].map { $0 == "\n" ? "\n" : " " }) }
        var out = "", i = 0
        while i < s.count {
            if at(i, "//") {
                var k = i
                while k < s.count && s[k] != "\n" { k += 1 }
                out += blanked(i..<k); i = k
            } else if at(i, "/*") {
                var depth = 0, k = i
                repeat {
                    if at(k, "/*") { depth += 1; k += 2 } else if at(k, "*/") { depth -= 1; k += 2 } else { k += 1 }
                } while depth > 0 && k < s.count
                out += blanked(i..<min(k, s.count)); i = min(k, s.count)
            } else if s[i] == "\"" || s[i] == "#", let e = stringEnd(i) {
                out += blanked(i..<e); i = e
            } else {
                out.append(s[i]); i += 1
            }
        }
        return out
    }
}
