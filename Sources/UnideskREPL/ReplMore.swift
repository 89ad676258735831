import LuaRuntime

/// The display's side of `:more`: the last value that was shown shortened (a snapshot: no
/// reference into Lua), and whether the session has said yet that `:more` exists.
struct ReplMore {
    /// Under a shortened value the first time, once per session.
    static let hint = "(shortened: :more shows it in full)"
    static let nothing = "nothing to show: no value was shortened"

    private var lastShortened: LuaGraph?
    private var hinted = false

    /// What to print for an input's values: the brief display, and the hint the first time
    /// one is shortened. Keeps the values for `:more` when they were shortened.
    mutating func present(_ values: LuaGraph) -> String {
        let shown = ReplPrinter.show(values)
        guard shown.shortened else { return shown.text }
        lastShortened = values
        if hinted { return shown.text }
        hinted = true
        return shown.text + "\n" + Self.hint
    }

    /// `:more`: the last shortened value with no entry limit and a generous depth.
    func more() -> String {
        guard let lastShortened else { return Self.nothing }
        return ReplPrinter.show(lastShortened, limits: .full).text
    }
}
