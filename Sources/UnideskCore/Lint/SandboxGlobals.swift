import Foundation
import LuaRuntime

/// The globals a recipe finds: read from a real session (the C sandbox plus the prelude),
/// so `unidesk check` can never disagree with what `unidesk run` provides.
enum SandboxGlobals {
    /// Each global → its field names when it is a table with fixed fields (the frozen
    /// libraries and `unidesk`); nil for other values and for `_G`, whose fields are anyone's.
    static func read(libraries: [HostLibrary]) throws -> [String: Set<String>?] {
        var options = EngineOptions()
        options.environment = [:]
        let redactor = Redactor()
        let session = try Session(options: options, libraries: libraries, console: Console(color: false, redactor: redactor),
                                  redactor: redactor, recipeDirectory: "/")
        defer { session.lua.close(); session.finish() }
        let listed = try session.execute("""
            local out = {}
            for name, value in pairs(_G) do
              if type(name) == "string" then
                if type(value) == "table" and name ~= "_G" then
                  local fields = {}
                  for field in pairs(value) do
                    if type(field) == "string" then fields[#fields + 1] = field end
                  end
                  out[name] = fields
                else
                  out[name] = false
                end
              end
            end
            return out
            """, chunkName: "=sandbox globals")
        var globals: [String: Set<String>?] = [:]
        for (name, value) in listed.first?.tableValue?.fields ?? [] {
            if let fields = value.tableValue {
                globals[name] = Set(fields.array.compactMap(\.stringValue))
            } else {
                globals[name] = .some(nil)
            }
        }
        return globals
    }
}
