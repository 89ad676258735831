import Foundation
import Testing

/// The real registry stack that scripts/stack/registry-up starts (scripts/test does it
/// before the suite). Missing variables fail the test: there is no fake to fall back on.
struct Stack {
    let env = ProcessInfo.processInfo.environment

    func value(_ name: String) throws -> String {
        guard let v = env[name], !v.isEmpty else {
            Issue.record("\(name) is not set: start the registry stack (scripts/stack/registry-up; source $UNIDESK_STACK_DIR/registry/env.sh) or run scripts/test")
            throw StackMissing()
        }
        return v
    }

    struct StackMissing: Error {}
}
