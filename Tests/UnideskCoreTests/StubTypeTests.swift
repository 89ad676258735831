import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings

/// The language server flags a type name the stubs use but never declare (`secret`,
/// a response class): every name in a `---@param`, `---@return`, `---@type` or `---@field`
/// annotation must be a LuaLS builtin or a `---@class` of the stubs.
@Suite struct StubTypeTests {
    static let builtins: Set<String> = ["nil", "any", "boolean", "string", "number", "integer", "function", "table",
                                        "thread", "userdata", "lightuserdata", "fun", "unknown"]

    @Test func everyTypeTheStubsUseIsDeclared() {
        let stubs = ReferenceGenerator(libraries: Libraries.all).files().filter { $0.key.hasPrefix("stubs/") }
        let text = stubs.values.joined(separator: "\n")
        let declared = Set(Self.annotations(text, tag: "class").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(declared.contains("secret"))
        #expect(declared.contains("unidesk.http.response"))
        var used: [String] = []
        for line in text.split(separator: "\n").map(String.init) {
            used += Self.typeExpression(in: line).map(Self.names) ?? []
        }
        #expect(used.contains("secret"))
        let undeclared = Set(used).subtracting(Self.builtins).subtracting(declared)
        #expect(undeclared.isEmpty, "the stubs use types they never declare: \(undeclared.sorted())")
    }

    @Test func theCheckSeesTypesInsideTableLiteralsAndUnions() {
        #expect(Self.names(in: "{ a: string, b?: unidesk.x.y[] }|secret|nil") == ["string", "unidesk.x.y", "secret", "nil"])
        #expect(Self.typeExpression(in: "---@param dsn string|secret the DSN") == "string|secret")
        #expect(Self.typeExpression(in: "---@return table<string, integer> counts") == "table<string, integer>")
        #expect(Self.typeExpression(in: "---@field status integer the code") == "integer")
    }

    static func annotations(_ text: String, tag: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            line.hasPrefix("---@\(tag) ") ? String(line.dropFirst("---@\(tag) ".count)) : nil
        }
    }

    /// The type of one annotation line: `---@param name TYPE doc`, `---@field name TYPE doc`,
    /// `---@return TYPE name doc`, `---@type TYPE`. A type ends at a space outside brackets.
    static func typeExpression(in line: String) -> String? {
        let parts: (skip: Int, tag: String)
        if line.hasPrefix("---@param ") { parts = (1, "---@param ") }
        else if line.hasPrefix("---@field ") { parts = (1, "---@field ") }
        else if line.hasPrefix("---@return ") { parts = (0, "---@return ") }
        else if line.hasPrefix("---@type ") { parts = (0, "---@type ") }
        else { return nil }
        var rest = Substring(line.dropFirst(parts.tag.count))
        if parts.skip == 1 { rest = rest.drop { $0 != " " }.dropFirst() }
        var depth = 0, end = rest.startIndex
        while end < rest.endIndex {
            let c = rest[end]
            if "{<(".contains(c) { depth += 1 } else if "}>)".contains(c) { depth -= 1 } else if c == " " && depth == 0 { break }
            end = rest.index(after: end)
        }
        return String(rest[..<end])
    }

    /// The type names in a type expression; the field names of `{ a: T }` are not types.
    static func names(in type: String) -> [String] {
        let withoutFields = type.replacingOccurrences(of: #"[A-Za-z_][A-Za-z0-9_]*\??\s*:"#, with: " ", options: .regularExpression)
        let re = try! NSRegularExpression(pattern: #"[A-Za-z_][A-Za-z0-9_.]*"#)
        let ns = withoutFields as NSString
        return re.matches(in: withoutFields, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
    }
}
