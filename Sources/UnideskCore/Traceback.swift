/// Tracebacks as users see them (stderr, reports): only frames of their own code. unidesk's
/// frames (the prelude and stdlib modules, all under stdlib/unidesk/), C frames without a
/// name ("[C]: in ?") and `error` itself say nothing a recipe's author can act on.
enum Traceback {
    static func userFrames(_ traceback: String) -> String {
        var inFrames = false
        return traceback.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            if !inFrames {
                inFrames = line.hasPrefix("stack traceback:")
                return true
            }
            return !line.contains("[C]: in ?") && !line.contains("[C]: in function 'error'")
                && !line.contains("stdlib/unidesk/")
        }.joined(separator: "\n")
    }
}
