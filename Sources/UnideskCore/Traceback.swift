/// Tracebacks as users see them (stderr, reports): only frames of their own code. unidesk's
/// frames (the prelude and stdlib modules, all under stdlib/unidesk/), C frames without a
/// name ("[C]: in ?") and `error` itself say nothing a recipe's author can act on.
public enum Traceback {
    public static func userFrames(_ traceback: String) -> String {
        var inFrames = false
        // The frames above the first of the user's own are where the error was raised: a
        // primitive (a C function: "[C]: in field 'set'") or the stdlib. C frames further
        // down (pcall, table.sort) stay: the user's code called them.
        var atTop = true
        return traceback.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            if !inFrames {
                inFrames = line.hasPrefix("stack traceback:")
                return true
            }
            let own = line.contains("stdlib/unidesk/") || line.contains("[C]: in ?") || line.contains("[C]: in function 'error'")
            if atTop {
                if own || line.contains("[C]:") { return false }
                atTop = false
            }
            return !own
        }.joined(separator: "\n")
    }
}
