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

    /// Sleeps `seconds` in full: a signal that wakes `nanosleep` early (EINTR) does not
    /// shorten it, the rest is slept against the monotonic clock.
    public static func sleep(_ seconds: Double) {
        guard seconds.isFinite, seconds > 0 else { return }
        let until = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        while DispatchTime.now().uptimeNanoseconds < until {
            let left = Double(until - DispatchTime.now().uptimeNanoseconds) / 1e9
            var ts = timespec(tv_sec: Int(left), tv_nsec: Int((left - Double(Int(left))) * 1e9))
            nanosleep(&ts, nil)
        }
    }
}
