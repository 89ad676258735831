import Foundation
import LuaRuntime
import UnideskCore

/// `require "unidesk.time"`: clocks and a sleep bounded by the run's deadline (the
/// sandbox has no `os`).
public enum TimeBinding {
    static let now = PrimitiveSpec(
        module: "time", name: "now", summary: "Wall-clock time: seconds since the Unix epoch, with a fraction.",
        returns: [("number", "seconds", "")], example: #"local started = time.now()"#)
    static let monotonic = PrimitiveSpec(
        module: "time", name: "monotonic", summary: "Seconds on a monotonic clock: for measuring durations, immune to clock changes.",
        returns: [("number", "seconds", "")])
    static let sleep = PrimitiveSpec(
        module: "time", name: "sleep", summary: "Sleeps. Never past the run's deadline: a sleep that would cross it ends at the deadline, and the deadline limit fires. Inside a pipeline step with a timeout, never past the step's deadline either: it ends there and raises kind = timeout, and the step fails as timed out.",
        params: [Param("seconds", .number, "how long (fractions allowed)")],
        example: #"time.sleep(0.2)   -- seconds; fractions allowed"#)
    static let iso = PrimitiveSpec(
        module: "time", name: "iso", summary: "Formats a time (default: now) as ISO 8601 UTC, e.g. 2026-11-22T18:49:02Z.",
        params: [Param("seconds", .number, optional: true, "seconds since the epoch")],
        returns: [("string", "text", "")])

    public static let library = HostLibrary(
        name: "time", summary: "Clocks and a deadline-bounded sleep.",
        specs: [now, monotonic, sleep, iso]
    ) { ctx in
        [
            ctx.function(now) { _ in [.number(SystemClock.wallSeconds())] },
            ctx.function(monotonic) { _ in [.number(SystemClock.monotonicSeconds())] },
            ctx.function(sleep) { args in
                var want: Double = 0
                if case .int(let i) = args.value(0) { want = Double(i) } else if case .number(let d) = args.value(0) { want = d }
                guard want.isFinite, want >= 0 else { throw HostError.argument(1, "a non-negative number of seconds expected") }
                // Past the run's deadline the timer arms the hook; the limit fires on return.
                // Past a step's, `bounded` raises the step's timeout.
                return try ctx.bounded {
                    SystemClock.sleep(SystemClock.sleepDuration(requested: want, deadlineRemaining: ctx.deadlineRemaining))
                    return []
                }
            },
            ctx.function(iso) { args in
                var t = SystemClock.wallSeconds()
                if case .int(let i) = args.value(0) { t = Double(i) } else if case .number(let d) = args.value(0) { t = d }
                let f = ISO8601DateFormatter()
                return [.string(f.string(from: Date(timeIntervalSince1970: t)))]
            },
        ]
    }
}
