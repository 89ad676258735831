import Foundation

/// A long take's or restore's progress as one line, "take: 1.2 GiB of ~4.0 GiB, 310.5 MiB/s,
/// 9 s left", handed to `show` at most every 0.2 s (a terminal's spinner line; a binding
/// passes none in CI).
public final class ProgressLine {
    private let clock: () -> Double
    private let show: (String) -> Void
    private var started: Double?
    private var last = -Double.infinity

    /// `clock`: monotonic seconds (a test passes its own).
    public init(clock: @escaping () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
                show: @escaping (String) -> Void) {
        self.clock = clock
        self.show = show
    }

    /// The store's progress callback.
    public var progress: SnapshotStore.Progress { { [self] phase, done, total in update(phase, done, total) } }

    public func update(_ phase: String, _ done: Int, _ total: Int) {
        let now = clock()
        let start = started ?? now
        started = start
        guard now - last > 0.2 else { return }
        last = now
        show(Self.text(phase: phase, done: done, total: total, seconds: now - start))
    }

    /// The line for `done` of an estimated `total` bytes (0: unknown) after `seconds`.
    public static func text(phase: String, done: Int, total: Int, seconds: Double) -> String {
        let rate = Double(done) / max(0.001, seconds)
        let eta = total > done && rate > 0 ? String(format: ", %.0f s left", Double(total - done) / rate) : ""
        let of = total > 0 ? " of ~\(SnapshotStore.size(total))" : ""
        return "\(phase): \(SnapshotStore.size(done))\(of), \(SnapshotStore.size(Int(rate)))/s\(eta)"
    }
}
