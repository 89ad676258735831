import Foundation
import Testing

/// The values a real test stack exports (scripts/stack/*-up write them to env.sh; scripts/test
/// sources them). A missing value fails the test with what to start: there is no fake to fall
/// back on, and a test never skips.
public struct StackEnvironment: Sendable {
    /// What to do when a value is missing, completing "<NAME> is not set: …".
    public let hint: String

    public init(hint: String) { self.hint = hint }

    /// scripts/stack/registry-up: the registries, the token issuer, the proxy, HTTP fixtures.
    public static let registry = StackEnvironment(hint: "start the registry stack (scripts/stack/registry-up; source $UNIDESK_STACK_DIR/registry/env.sh) or run scripts/test")
    /// scripts/stack/pg-up: the PostgreSQL servers and their roles.
    public static let postgres = StackEnvironment(hint: "start the PostgreSQL stack (scripts/stack/pg-up; source $UNIDESK_STACK_DIR/pg/env.sh) or run scripts/test")
    /// scripts/stack/engine-up: the container engine and the compose CLI.
    public static let engine = StackEnvironment(hint: "start the engine stack (scripts/stack/engine-up; source $UNIDESK_STACK_DIR/engine/env.sh) or run scripts/test")
    /// scripts/stack/node-up: a real node (containerd, kubelet, kube-scheduler, kube-proxy) on kube-up's API server.
    public static let node = StackEnvironment(hint: "start a node (scripts/stack/kube-up, then scripts/stack/node-up; source $UNIDESK_STACK_DIR/kube/env.sh and $UNIDESK_STACK_DIR/node/env.sh)")
    /// Every stack at once (scripts/test sources all of them).
    public static let any = StackEnvironment(hint: "start the stacks (scripts/stack/*-up; source /var/tmp/unidesk-dev/env-all.sh) or run scripts/test")

    public func value(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else {
            Issue.record("\(name) is not set: \(hint)", sourceLocation: sourceLocation)
            throw StackMissing(description: "\(name) is not set")
        }
        return v
    }

    /// A value that names an executable file (UNIDESK_BIN).
    public func executable(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let path = try value(name, sourceLocation: sourceLocation)
        guard FileManager.default.isExecutableFile(atPath: path) else {
            Issue.record("\(name)=\(path) is not an executable file", sourceLocation: sourceLocation)
            throw StackMissing(description: "\(name)=\(path) is not an executable file")
        }
        return path
    }
}

/// Thrown after the missing value was recorded as an issue: it only ends the test.
public struct StackMissing: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
