import Foundation

/// Reads of the process environment. `ProcessInfo.processInfo.environment` builds a dictionary
/// of every variable on each access (about 0.3 M instructions with a CI runner's environment);
/// a lookup of one variable needs none of that.
public enum ProcessEnvironment {
    /// The value of one variable, or nil when it is not set.
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
