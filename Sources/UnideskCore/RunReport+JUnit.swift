import Foundation

/// How a run becomes one JUnit testsuite. The rule behind every choice: a CI job reading
/// the file sees a failure exactly when the exit code says the run failed, and each failure
/// once (docs/reports.md).
extension RunReport {
    public var junitSuite: JUnit.Suite {
        JUnit.Suite(name: recipe, timestamp: startedAt, seconds: durationMs / 1000,
                    cases: isTestFile ? testFileCases : recipeCases)
    }

    /// `run`/`plan`: every step is a testcase (a nested one named with its enclosing steps,
    /// "deploy › start worker"). The run's failure is counted once, on the step it came out
    /// of (`failedStep`), or on a `(recipe)` testcase when it was raised outside every step.
    /// Steps it only passed through (enclosing steps) pass, with a note in `<system-out>`.
    /// A step whose own error the script caught is a failure when the run failed, and
    /// passes with a note when the run succeeded (the recipe decided it did not matter).
    private var recipeCases: [JUnit.Case] {
        let runFailed = exitCode != .ok
        if steps.isEmpty {
            return [JUnit.Case(name: recipe, classname: recipe, seconds: durationMs / 1000,
                               outcome: runFailed ? runFailure : .passed, systemOut: nil)]
        }
        var cases: [JUnit.Case] = steps.indices.map { i in
            let s = steps[i]
            var notes = attemptLines(s)
            var outcome = JUnit.Case.Outcome.passed
            switch s.status {
            case .ok: break
            case .skipped: outcome = .skipped(message: s.skipReason ?? "not run")
            case .failed, .aborted, .running:
                let passedThrough = innerOrigin(of: i) != nil || failedStep.map { isAncestor(i, of: $0) } == true
                if runFailed && (i == failedStep || !passedThrough) {
                    // In a failed run every step that failed on its own error is a failure, also
                    // one whose error the script caught before failing later (`deploy` failed,
                    // the recipe rolled back, then `unidesk.fail`): the reader sees what failed.
                    outcome = failure(of: s)
                } else {
                    let what = innerOrigin(of: i).map { "the error of its inner step '\(stepPath($0))' passed through it" }
                        ?? (s.error ?? "no message")
                    let counted = runFailed && failedStep.map { isAncestor(i, of: $0) } == true
                    notes.insert("\(s.status.rawValue): \(what)" + (counted ? " (counted there)"
                        : "; the script caught the error and went on, so it did not fail the run"), at: 0)
                }
            }
            return JUnit.Case(name: stepPath(i), classname: recipe, seconds: s.durationMs / 1000, outcome: outcome,
                              systemOut: notes.isEmpty ? nil : notes.joined(separator: "\n"))
        }
        if runFailed && failedStep == nil {
            cases.append(JUnit.Case(name: "(recipe)", classname: recipe, seconds: durationMs / 1000, outcome: runFailure, systemOut: nil))
        }
        return cases
    }

    /// `unidesk test`: the testcases are the `it`s; steps run by the code under test are
    /// listed in their test's `<system-out>`. A failure of the file outside its tests (an
    /// error at its top level, a replay miss there, a denial, a limit outside any test) is a
    /// `(file)` testcase. "N of M tests failed", the file's own summary of its failed tests,
    /// is not counted again.
    private var testFileCases: [JUnit.Case] {
        var cases: [JUnit.Case] = []
        var testFailed = false, testAborted = false
        for i in steps.indices where steps[i].isTest {
            let s = steps[i]
            var outcome = JUnit.Case.Outcome.passed
            switch s.status {
            case .ok: break
            case .skipped: outcome = .skipped(message: s.skipReason ?? "not run")
            case .failed, .running: outcome = failure(of: s); testFailed = true
            case .aborted: outcome = failure(of: s); testAborted = true
            }
            let inner = innerStepLines(of: i)
            cases.append(JUnit.Case(name: s.name, classname: recipe, seconds: s.durationMs / 1000, outcome: outcome,
                                    systemOut: inner.isEmpty ? nil : inner.joined(separator: "\n")))
        }
        let explained = (error?.kind == "tests_failed" && (testFailed || testAborted)) || (exitCode == .limit && testAborted)
        if exitCode != .ok && !explained {
            cases.append(JUnit.Case(name: "(file)", classname: recipe, seconds: durationMs / 1000, outcome: runFailure, systemOut: nil))
        }
        return cases
    }

    private var runFailure: JUnit.Case.Outcome {
        let message = error?.message ?? exitCode.status
        return .failed(message: message, type: error?.kind ?? exitCode.status, detail: Self.detail(message, error?.traceback))
    }

    private func failure(of s: StepRecord) -> JUnit.Case.Outcome {
        let message = s.error ?? s.status.rawValue
        return .failed(message: message, type: s.errorKind ?? "error", detail: Self.detail(message, s.traceback))
    }

    /// The failure's text: the message, then where it came from, without the frames of
    /// unidesk's own prelude (as on stderr).
    private static func detail(_ message: String, _ traceback: String?) -> String {
        guard var tb = traceback, !tb.isEmpty else { return message }
        if tb.hasPrefix(message) { tb = String(tb.dropFirst(message.count)) }
        let lines = tb.split(separator: "\n", omittingEmptySubsequences: true)
            .filter { !$0.contains("[C]: in ?") && !$0.contains("stdlib/unidesk/_prelude.lua") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return ([message] + lines).joined(separator: "\n")
    }

    /// "outer › inner": a step's name with those of the steps it ran in.
    public func stepPath(_ i: Int) -> String {
        var names = [steps[i].name]
        var depth = steps[i].depth
        var j = i
        while depth > 0 && j > 0 {
            j -= 1
            if steps[j].depth == depth - 1 { names.insert(steps[j].name, at: 0); depth -= 1 }
        }
        return names.joined(separator: " › ")
    }

    private func isAncestor(_ a: Int, of b: Int) -> Bool {
        guard a < b else { return false }
        for j in (a + 1)...b where steps[j].depth <= steps[a].depth { return false }
        return steps[b].depth > steps[a].depth
    }

    /// "attempt 1 failed (12ms): not yet" for every attempt of a retried step.
    private func attemptLines(_ s: StepRecord, indent: String = "") -> [String] {
        s.attempts.enumerated().map { n, a in
            let what = a.status == .ok ? "passed" : a.status.rawValue
            return "\(indent)attempt \(n + 1) \(what) (\(Console.duration(a.durationMs)))\(a.error.map { ": \($0)" } ?? "")"
        }
    }

    /// The innermost step inside step `i` whose failure passed through it unchanged, if any.
    private func innerOrigin(of i: Int) -> Int? {
        let found = Self.innermost(from: i, in: steps)
        return found == i ? nil : found
    }

    /// The steps inside step `i`, one line each, as the console shows them.
    private func innerStepLines(of i: Int) -> [String] {
        var lines: [String] = []
        var j = i + 1
        while j < steps.count && steps[j].depth > steps[i].depth {
            let s = steps[j]
            let indent = String(repeating: "  ", count: s.depth - steps[i].depth - 1)
            switch s.status {
            case .skipped: lines.append("[skip] \(indent)\(s.name): \(s.skipReason ?? "not run")")
            default:
                let tag = s.status == .ok ? "ok" : s.status == .failed ? "FAIL" : s.status.rawValue
                lines.append("[\(tag)] \(indent)\(s.name) (\(Console.duration(s.durationMs)))\(s.error.map { ": \($0)" } ?? "")")
            }
            lines += attemptLines(s, indent: indent + "  ")
            j += 1
        }
        return lines
    }

    /// The step the run's error came out of: the last top-level step that ran, when it failed with
    /// that error, then down through the inner steps that failed with the same error text
    /// (the error passed through them unchanged) to the innermost. Nil when the error was
    /// raised outside every step (e.g. after the script caught a step's error).
    static func failureOrigin(message: String, kind: String?, in steps: [StepRecord]) -> Int? {
        // Skipped steps never ran: the error may have come out of the step before them.
        guard let current = steps.lastIndex(where: { $0.depth == 0 && $0.status != .skipped }) else { return nil }
        let top = steps[current]
        guard top.status == .failed || top.status == .aborted, let text = top.error else { return nil }
        let same = text == message || text.hasSuffix(": " + message) || message.hasSuffix(": " + text)
            // An error table printed by address: the same kind is the best evidence left.
            || (text.hasPrefix("table: ") && kind != nil && top.errorKind == kind)
        guard same else { return nil }
        return innermost(from: current, in: steps)
    }

    /// From a failed step down through the inner steps that failed with the same error text
    /// (it passed through them unchanged) to the innermost.
    static func innermost(from start: Int, in steps: [StepRecord]) -> Int {
        var current = start
        while true {
            var j = current + 1, inner: Int?
            while j < steps.count && steps[j].depth > steps[current].depth {
                if steps[j].depth == steps[current].depth + 1 && (steps[j].status == .failed || steps[j].status == .aborted)
                    && steps[j].error == steps[current].error {
                    inner = j
                }
                j += 1
            }
            guard let next = inner else { return current }
            current = next
        }
    }
}
