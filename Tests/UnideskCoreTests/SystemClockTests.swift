import Testing
import UnideskCore

/// `unidesk.time`'s clocks and sleep, without Lua.
@Suite struct SystemClockTests {
    @Test func aSleepNeverPassesTheRunsDeadlineByMoreThanTheStepPastIt() {
        #expect(SystemClock.sleepDuration(requested: 0.2, deadlineRemaining: .infinity) == 0.2)
        #expect(SystemClock.sleepDuration(requested: 5, deadlineRemaining: 1) == 1.01)
        #expect(SystemClock.sleepDuration(requested: 0, deadlineRemaining: 1) == 0)
        // A deadline already passed: no sleep at all (never a negative duration).
        #expect(SystemClock.sleepDuration(requested: 5, deadlineRemaining: -3) == 0)
    }

    /// A sleep lasts at least what it was asked for, by the monotonic clock (a lower bound,
    /// which holds however loaded the machine is; how much longer it takes is not measured).
    @Test func aSleepLastsAtLeastItsDuration() {
        let before = SystemClock.monotonicSeconds()
        SystemClock.sleep(0.05)
        #expect(SystemClock.monotonicSeconds() - before >= 0.05)
    }

    @Test func nothingToSleepReturnsAtOnce() {
        // Neither traps (a negative or non-finite duration converted to nanoseconds would).
        SystemClock.sleep(0)
        SystemClock.sleep(-1)
        SystemClock.sleep(.nan)
    }

    @Test func theWallClockIsSecondsSinceTheEpoch() {
        // 2020-09-13 and 2100-01-01: seconds, not milliseconds or nanoseconds.
        #expect((1_600_000_000...4_102_444_800).contains(SystemClock.wallSeconds()))
    }
}
