import CSystem
import Foundation

/// The clocks and the sleep that `unidesk.time` exposes, kept out of the binding so that
/// they are tested without Lua (issue 17: a binding holds no clock read, no sleep, no loop).
public enum SystemClock {
    /// Wall-clock time: seconds since the Unix epoch, with a fraction.
    public static func wallSeconds() -> Double { Date().timeIntervalSince1970 }

    /// Seconds on a monotonic clock, for measuring durations (immune to clock changes).
    public static func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// How long a requested sleep lasts: never past the run's deadline. The extra 10 ms
    /// carry it just past the deadline, so that the deadline's limit fires on return
    /// rather than the recipe going on for a moment with no time left.
    public static func sleepDuration(requested: Double, deadlineRemaining: Double) -> Double {
        max(0, min(requested, deadlineRemaining + 0.01))
    }

    /// Sleeps `seconds` in full: a signal that wakes it early (EINTR, the deadline's timer)
    /// does not shorten it, the rest is slept against the monotonic clock. Only a stop
    /// (SIGTERM, SIGINT) ends it early.
    public static func sleep(_ seconds: Double) {
        guard seconds.isFinite, seconds > 0 else { return }
        _ = ud_stop_sleep(seconds)
    }
}
