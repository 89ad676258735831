import Foundation
import Testing
@testable import LuaRuntime

@Suite(.serialized) struct LimitsTests {
    private func armed(_ seconds: Double, memoryLimit: Int = 0) throws -> LuaState {
        let lua = try state(memoryLimit: memoryLimit)
        #expect(lua.startDeadline(seconds: seconds, hardGrace: 30, hardStopMessage: "hard stop in a test\n", hardStopExitCode: 99))
        return lua
    }

    private func expectLimit(_ lua: LuaState, _ limit: LuaLimit, _ code: String, within: Double) {
        let t0 = Date()
        #expect(throws: LuaError.self) { try lua.run(code, chunkName: "=t") }
        #expect(lua.tripped == limit)
        #expect(Date().timeIntervalSince(t0) < within)
        lua.close()
    }

    @Test func deadlineStopsAPlainLoop() throws {
        expectLimit(try armed(0.2), .deadline, "while true do end", within: 2)
    }

    @Test func pcallCannotSwallowTheDeadline() throws {
        expectLimit(try armed(0.2), .deadline, "while true do pcall(function() while true do end end) end", within: 2)
    }

    @Test func xpcallHandlerCannotSwallowIt() throws {
        expectLimit(try armed(0.2), .deadline,
                    "while true do xpcall(function() while true do end end, function() while true do end end) end", within: 2)
    }

    @Test func deadlineReachesARunningCoroutine() throws {
        expectLimit(try armed(0.2), .deadline,
                    "local co = coroutine.create(function() while true do end end)\nwhile true do coroutine.resume(co) end", within: 2)
        expectLimit(try armed(0.2), .deadline, "coroutine.wrap(function() while true do end end)()", within: 2)
    }

    @Test func noHookRunsBeforeTheDeadline() throws {
        // Armed but not reached: code runs to completion and nothing has fired.
        let lua = try armed(60)
        let r = try lua.run("local s = 0 for i = 1, 3e6 do s = s + i end return s", chunkName: "=t")
        #expect(r.first?.int == 4_500_001_500_000)
        #expect(lua.tripped == nil)
        lua.stopDeadline()
    }

    @Test func memoryCapStopsGrowthAndCannotBeCaught() throws {
        let lua = try state(memoryLimit: 8 << 20)
        #expect(throws: LuaError.self) {
            try lua.run("local t = {} while true do pcall(function() t[#t + 1] = string.rep('x', 1000) .. #t end) end", chunkName: "=t")
        }
        #expect(lua.tripped == .memory)
        #expect(lua.memoryPeak <= (8 << 20) + (1 << 20), "peak \(lua.memoryPeak) exceeds the cap plus the unwind reserve")
    }

    @Test func hugeStringRepIsRefused() throws {
        let lua = try state(memoryLimit: 16 << 20)
        #expect(throws: LuaError.self) { try lua.run("local s = string.rep('x', 1 << 30)", chunkName: "=t") }
        #expect(lua.tripped == .memory)
    }

    @Test func interruptFromAnotherThread() throws {
        let lua = try state()
        let box = UncheckedBox(lua)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { box.value.interrupt() }
        #expect(throws: LuaError.self) { try lua.run("while true do end", chunkName: "=t") }
        #expect(lua.tripped == .interrupt)
        lua.resetLimits()
        #expect(try lua.run("return 1", chunkName: "=t").first?.int == 1, "usable again after a reset")
    }
}

final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}
