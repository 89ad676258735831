import Foundation
import Testing
import LuaRuntime

/// The shared test helpers fail a test when they should: a missing stack value and a body
/// that throws nothing (or the wrong error) are recorded issues, never a silent pass.
@Suite struct TestSupportTests {
    @Test func aMissingStackValueIsAnIssueAndEndsTheTest() {
        var missing: StackMissing?
        withKnownIssue("the missing value is recorded as an issue") {
            do { _ = try StackEnvironment(hint: "start nothing").value("UNIDESK_TEST_SUPPORT_SURELY_UNSET") } catch let e as StackMissing {
                missing = e
            }
        }
        #expect(missing?.description == "UNIDESK_TEST_SUPPORT_SURELY_UNSET is not set")
    }

    @Test func thrownErrorRecordsAnIssueWhenNothingIsThrown() {
        withKnownIssue {
            #expect(thrownError(LuaError.self) { 42 } == nil)
        }
    }

    @Test func thrownErrorReturnsTheErrorOfItsType() {
        let e = thrownError(LuaError.self) { throw LuaError(message: "boom") }
        #expect(e?.message == "boom")
    }
}
