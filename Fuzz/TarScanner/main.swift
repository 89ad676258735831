import FuzzSupport
@testable import UnideskSnapshot

// TarScanner (the header scanner between tar and the snapshot store: counts on take, refuses
// unsafe entries on restore) on arbitrary archive bytes, under both policies. Beyond "no
// crash": the outcome does not depend on how the stream is cut into reads (all at once vs in
// small chunks, as a pipe delivers it), and a finished archive's end lies within what was fed.
struct Outcome: Equatable {
    var refusal: String?
    var entries = 0, regularFiles = 0
    var finished = false
    var end: Int?
    var complete: String?
}

func scan(_ bytes: [UInt8], policy: TarScanner.Policy, chunk: Int) -> Outcome {
    var scanner = TarScanner(policy: policy)
    var outcome = Outcome()
    var offset = 0
    repeat {
        let upper = min(bytes.count, offset + chunk)
        // Not a typed-throws closure: Swift 6.3's IRGen crashes on that reabstraction thunk.
        var refusal: String?
        bytes[offset..<upper].withUnsafeBytes { piece in
            do throws(TarScanner.Violation) { try scanner.feed(piece) } catch { refusal = error.description }
        }
        if let refusal {
            outcome.refusal = refusal
            break
        }
        offset = upper
    } while offset < bytes.count
    outcome.entries = scanner.entries
    outcome.regularFiles = scanner.regularFiles
    outcome.finished = scanner.finished
    outcome.end = scanner.end
    if outcome.refusal == nil {
        do { try scanner.checkComplete() } catch { outcome.complete = "\(error)" }
    }
    return outcome
}

runFuzzer { bytes in
    for policy in [TarScanner.Policy.count, .confine] {
        let whole = scan(bytes, policy: policy, chunk: max(bytes.count, 1))
        let piecewise = scan(bytes, policy: policy, chunk: 1 + bytes.count % 701)
        if whole != piecewise { violated("\(policy): whole \(whole) vs in chunks \(piecewise)") }
        if let end = whole.end, end > bytes.count || !whole.finished { violated("end \(end) of \(bytes.count) bytes") }
    }
}
