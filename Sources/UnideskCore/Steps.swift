import Foundation

/// A recipe step as recorded for the console, the report and JUnit.
public struct StepRecord: Sendable {
    public enum Status: String, Sendable { case running, ok, failed, aborted, skipped }

    /// One run of a step that unidesk.pipeline retried.
    public struct Attempt: Sendable {
        public var status: Status
        public var durationMs: Double
        public var error: String?
        public var errorKind: String?
    }

    public var name: String
    public let depth: Int
    public var status: Status
    public var durationMs: Double
    public var error: String?
    public var errorKind: String?
    public var traceback: String?
    /// A test case (`it` of unidesk.test), not a step of the code under test.
    public var isTest = false
    /// Every attempt, in order, when unidesk.pipeline ran the step more than once; empty
    /// otherwise. The step's own status, error and duration are the whole step's.
    public var attempts: [Attempt] = []
    /// Why a skipped step did not run.
    public var skipReason: String?

    public init(name: String, depth: Int, status: Status, durationMs: Double, error: String? = nil,
                errorKind: String? = nil, traceback: String? = nil) {
        self.name = name
        self.depth = depth
        self.status = status
        self.durationMs = durationMs
        self.error = error
        self.errorKind = errorKind
        self.traceback = traceback
    }
}

final class StepRecorder {
    private(set) var steps: [StepRecord] = []
    private var open: [(index: Int, started: UInt64, attemptStarted: UInt64)] = []
    let console: Console

    /// Set by unidesk.test's `it`: the next step to begin is a test case.
    private var nextIsTest = false
    /// Set by unidesk.pipeline before each attempt of a step that may be retried.
    private var nextAttempt: (number: Int, of: Int)?
    /// The attempt the open step at a given index is in, for steps that may be retried.
    private var attemptOf: [Int: (number: Int, of: Int)] = [:]
    /// When a step that may be retried began its first attempt (its duration spans them all).
    private var firstStarted: [Int: UInt64] = [:]
    /// The last step that ended: a retry continues it.
    private var lastEnded: Int?

    init(console: Console) { self.console = console }

    func markNextAsTest() { nextIsTest = true }

    /// The next step to begin is attempt `number` of at most `of`; from the second attempt
    /// on it continues the record of the previous attempt rather than adding one.
    func markNextAsAttempt(_ number: Int, of: Int) { nextAttempt = (number, of) }

    func begin(_ name: String) -> Int {
        let now = DispatchTime.now().uptimeNanoseconds
        let attempt = nextAttempt
        let isTest = nextIsTest
        nextAttempt = nil
        nextIsTest = false
        if let attempt, attempt.number > 1, let previous = lastEnded, steps[previous].depth == open.count,
           steps[previous].name == name, steps[previous].status == .failed {
            steps[previous].status = .running
            open.append((previous, firstStarted[previous] ?? now, now))
            attemptOf[previous] = attempt
            console.stepStarted(name, attempt: attempt)
            return previous
        }
        var record = StepRecord(name: name, depth: open.count, status: .running, durationMs: 0)
        record.isTest = isTest
        steps.append(record)
        open.append((steps.count - 1, now, now))
        if let attempt {
            attemptOf[steps.count - 1] = attempt
            firstStarted[steps.count - 1] = now
        }
        console.stepStarted(name, attempt: attempt.flatMap { $0.of > 1 ? $0 : nil })
        return steps.count - 1
    }

    func end(_ id: Int, ok: Bool, error: String?, kind: String?, traceback: String?) {
        guard let pos = open.lastIndex(where: { $0.index == id }) else { return }
        // Inner steps left open by an error that skipped their end are closed as aborted.
        while open.count > pos + 1 { close(open.removeLast(), status: .aborted, error: nil, kind: nil, traceback: nil) }
        close(open.removeLast(), status: ok ? .ok : .failed, error: error, kind: kind, traceback: traceback.map(Traceback.userFrames))
        lastEnded = id
        if !ok && firstFailure == nil && traceback != nil { firstFailure = steps[id] }
    }

    /// The innermost step running now.
    var innermostOpenName: String? { open.last.map { steps[$0.index].name } }

    /// A step unidesk.pipeline did not run (an earlier step failed): recorded and shown,
    /// never run.
    func skip(_ name: String, reason: String) {
        var record = StepRecord(name: name, depth: open.count, status: .skipped, durationMs: 0)
        record.skipReason = reason
        steps.append(record)
        console.stepSkipped(name, reason: reason, depth: open.count)
    }

    /// Closes every open step (a limit fired, or the run ended inside steps).
    func abortAll(reason: String) {
        while let o = open.popLast() { close(o, status: .aborted, error: reason, kind: "aborted", traceback: nil) }
    }

    /// The first step to fail (the innermost), whose traceback shows where the error came
    /// from rather than where enclosing steps rethrew it.
    private(set) var firstFailure: StepRecord?

    private func close(_ o: (index: Int, started: UInt64, attemptStarted: UInt64), status: StepRecord.Status,
                       error: String?, kind: String?, traceback: String?) {
        let now = DispatchTime.now().uptimeNanoseconds
        let i = o.index
        steps[i].status = status
        steps[i].durationMs = Double(now - o.started) / 1e6
        steps[i].error = error
        steps[i].errorKind = kind
        steps[i].traceback = traceback
        guard let attempt = attemptOf.removeValue(forKey: i), attempt.of > 1 else {
            console.stepFinished(steps[i].name, ok: status == .ok, durationMs: steps[i].durationMs, error: error)
            return
        }
        let attemptMs = Double(now - o.attemptStarted) / 1e6
        steps[i].attempts.append(.init(status: status, durationMs: attemptMs, error: error, errorKind: kind))
        // Only the pipeline's own rule decides, but the line is printed now: an attempt with
        // attempts left is retried unless it was denied (a denial is never retried).
        let retried = status == .failed && attempt.number < attempt.of && kind != "denied"
        console.stepFinished(steps[i].name, ok: status == .ok, durationMs: attemptMs, error: error,
                             attempt: (attempt.number, attempt.of), retried: retried)
        // A step that passed on its first attempt was not retried: no attempts to show.
        if status == .ok && attempt.number == 1 { steps[i].attempts = [] }
    }
}
