import Foundation

/// A recipe step as recorded for the console, the report and JUnit.
public struct StepRecord: Sendable {
    public enum Status: String, Sendable { case running, ok, failed, aborted }
    public let name: String
    public let depth: Int
    public var status: Status
    public var durationMs: Double
    public var error: String?
    public var errorKind: String?
    public var traceback: String?
}

final class StepRecorder {
    private(set) var steps: [StepRecord] = []
    private var open: [(index: Int, started: UInt64)] = []
    let console: Console

    init(console: Console) { self.console = console }

    func begin(_ name: String) -> Int {
        steps.append(StepRecord(name: name, depth: open.count, status: .running, durationMs: 0))
        open.append((steps.count - 1, DispatchTime.now().uptimeNanoseconds))
        console.stepStarted(name)
        return steps.count - 1
    }

    func end(_ id: Int, ok: Bool, error: String?, kind: String?, traceback: String?) {
        guard let pos = open.lastIndex(where: { $0.index == id }) else { return }
        // Inner steps left open by an error that skipped their end are closed as aborted.
        while open.count > pos + 1 { close(open.removeLast(), status: .aborted, error: nil, kind: nil, traceback: nil) }
        close(open.removeLast(), status: ok ? .ok : .failed, error: error, kind: kind, traceback: traceback.map(Traceback.userFrames))
        if !ok && firstFailure == nil && traceback != nil { firstFailure = steps[id] }
    }

    /// The innermost step running now.
    var innermostOpenName: String? { open.last.map { steps[$0.index].name } }

    /// Closes every open step (a limit fired, or the run ended inside steps).
    func abortAll(reason: String) {
        while let o = open.popLast() { close(o, status: .aborted, error: reason, kind: "aborted", traceback: nil) }
    }

    /// The first step to fail (the innermost), whose traceback shows where the error came
    /// from rather than where enclosing steps rethrew it.
    private(set) var firstFailure: StepRecord?

    private func close(_ o: (index: Int, started: UInt64), status: StepRecord.Status, error: String?, kind: String?, traceback: String?) {
        steps[o.index].status = status
        steps[o.index].durationMs = Double(DispatchTime.now().uptimeNanoseconds - o.started) / 1e6
        steps[o.index].error = error
        steps[o.index].errorKind = kind
        steps[o.index].traceback = traceback
        console.stepFinished(steps[o.index].name, ok: status == .ok, durationMs: steps[o.index].durationMs, error: error)
    }
}
