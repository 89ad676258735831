/// Process exit codes, documented in `unidesk --help` and docs/.
public enum ExitCode: Int32, Sendable {
    case ok = 0
    /// The recipe failed: an uncaught error or unidesk.fail.
    case recipeFailed = 1
    /// Usage or configuration error (flags, policy file, missing recipe, syntax error).
    case usage = 2
    /// A primitive call was denied by the policy.
    case denied = 3
    /// A sandbox limit fired: deadline, memory, or SIGTERM/SIGINT stopped the run.
    case limit = 4
    /// A bug in unidesk itself.
    case internalError = 5
    /// `unidesk apply`: reality changed since the plan (a read, a write's target, a file of
    /// the recipe); nothing was performed after the difference was found.
    case drift = 6

    public var status: String {
        switch self {
        case .ok: return "ok"
        case .recipeFailed: return "failed"
        case .usage: return "usage_error"
        case .denied: return "denied"
        case .limit: return "limit"
        case .internalError: return "internal_error"
        case .drift: return "drift"
        }
    }

    public static let helpText = """
    Exit codes:
      0  ok
      1  the recipe failed (an uncaught error or unidesk.fail)
      2  usage or config error (bad flag, policy file, missing recipe, syntax)
      3  policy denied a primitive call (even if the script caught the error)
      4  a sandbox limit fired (--timeout deadline, --max-memory) or SIGTERM/SIGINT stopped the run (--stop-grace)
      5  internal error in unidesk
      6  drift (apply): reality changed since the plan; nothing was performed after it
    """
}
