import Testing
import UnideskData
@testable import UnideskKube

/// kube.wait's state machine on a fake clock and a fake source of the object (the real
/// path, against an API server: UnideskCoreTests/KubeRecipeTests).
@Suite struct KubeWaitTests {
    /// Time that moves only when the wait sleeps.
    final class FakeClock: KubeClock {
        var now: Double = 1000
        var sleeps: [Double] = []
        func sleep(_ seconds: Double) {
            sleeps.append(seconds)
            now += seconds
        }
    }

    /// Answers each poll with the next scripted sighting (the last one repeats) and records
    /// the request timeout each poll was given.
    final class FakeStatusSource {
        var sightings: [Result<DataValue?, KubeError>]
        var timeouts: [Double] = []
        init(_ sightings: [Result<DataValue?, KubeError>]) { self.sightings = sightings }
        func fetch(_ timeout: Double) throws(KubeError) -> DataValue? {
            timeouts.append(timeout)
            return try (sightings.count > 1 ? sightings.removeFirst() : sightings[0]).get()
        }
    }

    static func deployment(updated: Int64, replicas: Int64 = 2, stuck: Bool = false) -> DataValue {
        var status: [(String, DataValue)] = [("observedGeneration", .int(1)), ("updatedReplicas", .int(updated)),
                                             ("replicas", .int(updated)), ("availableReplicas", .int(updated))]
        if stuck {
            status.append(("conditions", .array([.object([("type", .string("Progressing")), ("reason", .string("ProgressDeadlineExceeded"))])])))
        }
        return .object([("kind", .string("Deployment")), ("metadata", .object([("name", .string("web")), ("generation", .int(1))])),
                        ("spec", .object([("replicas", .int(replicas))])), ("status", .object(status))])
    }

    static func withCondition(_ type: String, _ status: String) -> DataValue {
        .object([("kind", .string("Widget")), ("status", .object([("conditions", .array([.object([("type", .string(type)), ("status", .string(status))])]))]))])
    }

    func wait(_ goal: KubeWaitGoal = .rollout, timeout: Double = 10, interval: Double = 1) -> KubeWait {
        KubeWait(kind: "Deployment", name: "web", goal: goal, timeout: timeout, interval: interval)
    }

    @Test func aRolloutAlreadyDoneReturnsAtOnce() throws {
        let clock = FakeClock(), source = FakeStatusSource([.success(Self.deployment(updated: 2))])
        let obj = try wait(timeout: 100).run(clock: clock, fetch: source.fetch)
        #expect(obj == Self.deployment(updated: 2))
        #expect(clock.sleeps == [] && source.timeouts == [30], "one poll, its request capped at 30 s")
    }

    @Test func itPollsEveryIntervalUntilTheRolloutIsDone() throws {
        let clock = FakeClock()
        let source = FakeStatusSource([.success(nil), .success(Self.deployment(updated: 1)), .success(Self.deployment(updated: 2))])
        let obj = try wait(timeout: 10, interval: 2).run(clock: clock, fetch: source.fetch)
        #expect(obj == Self.deployment(updated: 2))
        #expect(clock.sleeps == [2, 2])
        #expect(source.timeouts == [10, 8, 6], "each request gets what is left")
    }

    /// The next poll would come after the deadline: a timeout naming what was seen last.
    @Test func itTimesOutWithTheLastStatus() {
        let clock = FakeClock(), source = FakeStatusSource([.success(Self.deployment(updated: 1))])
        let e = #expect(throws: KubeError.self) { try wait(timeout: 3, interval: 1).run(clock: clock, fetch: source.fetch) }
        let last = "Waiting for deployment \"web\" rollout to finish: 1 out of 2 new replicas have been updated..."
        #expect(e?.kind == .timeout && e?.last == last)
        #expect(e?.message == "Deployment web not ready after 3 s: \(last)")
        #expect(clock.sleeps == [1, 1, 1] && source.timeouts == [3, 2, 1, 0.5], "polls at 0, 1, 2, 3 s; requests never under 0.5 s")
    }

    @Test func anObjectThatNeverAppearsSaysSo() {
        let clock = FakeClock(), source = FakeStatusSource([.success(nil)])
        let e = #expect(throws: KubeError.self) { try wait(timeout: 0.5, interval: 1).run(clock: clock, fetch: source.fetch) }
        #expect(e?.kind == .timeout && e?.last == "Deployment web does not exist")
        #expect(clock.sleeps == [], "an interval past the deadline is not slept")
    }

    @Test func aFailedRolloutStopsTheWaitWithTheObject() {
        let clock = FakeClock()
        let source = FakeStatusSource([.success(Self.deployment(updated: 1)), .success(Self.deployment(updated: 1, stuck: true))])
        let e = #expect(throws: KubeError.self) { try wait().run(clock: clock, fetch: source.fetch) }
        #expect(e?.kind == .rolloutFailed && e?.kind.rawValue == "rollout_failed")
        #expect(e?.message == "deployment \"web\" exceeded its progress deadline")
        #expect(e?.object == Self.deployment(updated: 1, stuck: true))
        #expect(clock.sleeps == [1])
    }

    @Test func anAPIErrorStopsTheWait() {
        let clock = FakeClock(), source = FakeStatusSource([.failure(KubeError(.forbidden, "no"))])
        let e = #expect(throws: KubeError.self) { try wait().run(clock: clock, fetch: source.fetch) }
        #expect(e?.kind == .forbidden && clock.sleeps == [])
    }

    @Test func aConditionGoal() throws {
        let clock = FakeClock()
        let source = FakeStatusSource([.success(Self.withCondition("Ready", "True")), .success(Self.withCondition("Ready", "False"))])
        let obj = try wait(.condition(type: "Ready", status: "False")).run(clock: clock, fetch: source.fetch)
        #expect(obj == Self.withCondition("Ready", "False") && clock.sleeps == [1])
        #expect(wait(.condition(type: "Established", status: "True")).observe(Self.withCondition("Ready", "True")) == .waiting("no Established condition yet"))
        #expect(wait(.condition(type: "Ready", status: "True")).observe(Self.withCondition("Ready", "True")) == .met)
    }

    @Test func conditionsAreParsedAsKubectlWritesThem() {
        #expect(KubeWaitGoal(condition: "Available") == .condition(type: "Available", status: "True"))
        #expect(KubeWaitGoal(condition: "Ready=False") == .condition(type: "Ready", status: "False"))
        #expect(KubeWaitGoal(condition: "Ready=") == .condition(type: "Ready", status: ""))
        #expect(KubeWaitGoal(condition: "") == nil, "no type: the binding raises bad argument (it used to crash)")
        #expect(KubeWaitGoal(condition: "=True") == nil)
    }
}
