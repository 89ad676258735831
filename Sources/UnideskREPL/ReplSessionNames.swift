import LuaRuntime
import UnideskBindings
import UnideskCore

/// The names of the live session, for TAB: read from its Lua state with raw reads only
/// (LuaState.completionKeys), never by running code.
struct ReplSessionNames: ReplNames {
    /// The session's state now (`:reset` and `:mode` replace it).
    let lua: () -> LuaState
    /// Names go to the terminal past the REPL's output: one holding a known secret value
    /// (a table keyed by a password) is never offered.
    let redactor: Redactor

    func keys(at path: [String]) -> [CompletionKey]? {
        lua().completionKeys(path: path)?.filter { redactor.scrub($0.name) == $0.name }
    }
}

extension ReplCompleter {
    /// The completer of a live session: its names, the REPL's commands, the capabilities
    /// the host libraries' specs declare for writes, their functions by module.
    static func live(redactor: Redactor, lua: @escaping () -> LuaState) -> ReplCompleter {
        ReplCompleter(names: ReplSessionNames(lua: lua, redactor: redactor),
                      commands: ReplCommandLine.summaries.map(\.name),
                      capabilities: hostCapabilities,
                      hostModules: hostModuleFunctions)
    }

    /// What `:allow` can grant: the operation of every spec that writes ("pg.exec"), when
    /// it is a plain name (http.request's is "http.<method>": the methods have their own).
    static let hostCapabilities: [String] = {
        let writes = Libraries.all.flatMap(\.specs).filter { $0.effect == .write }.map(\.operation)
        let plain = writes.filter { $0.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isName(String($0)) } }
        return Array(Set(plain)).sorted()
    }()

    /// The fields of each unidesk.* module as its specs document them ("unidesk.kube" →
    /// apply, …), for a module require has not loaded yet (once loaded, package.loaded has
    /// the real table).
    static let hostModuleFunctions: [String: [String]] = {
        var modules: [String: [String]] = [:]
        for library in Libraries.all {
            modules["unidesk." + library.name] = library.specs.compactMap { spec in
                if case .method = spec.shape { return nil }
                return spec.module == library.name ? spec.name : nil
            }
        }
        return modules
    }()
}
