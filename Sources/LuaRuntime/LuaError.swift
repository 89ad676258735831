import Foundation
import CLua

/// An error that came back from a protected call into Lua.
public struct LuaError: Error, CustomStringConvertible {
    public enum Status: Sendable {
        case runtime, syntax, memory, errorHandler, other(Int32)
        init(_ rc: Int32) {
            switch rc {
            case LUA_ERRRUN: self = .runtime
            case LUA_ERRSYNTAX: self = .syntax
            case LUA_ERRMEM: self = .memory
            case LUA_ERRERR: self = .errorHandler
            default: self = .other(rc)
            }
        }
    }

    public let status: Status
    /// The error value as raised: usually a string, or a structured error table.
    public let value: LuaValue
    /// Human message without the traceback.
    public let message: String
    /// "stack traceback:\n\t…" when the error went through the traceback handler.
    public let traceback: String?
    /// `kind` of a structured error ("denied", "fail", "network", …).
    public let kind: String?

    /// `rendersItself`: the value has a __tostring (primitives' errors show their message
    /// alone); any other table with a `message` reads "kind: message", as the prelude shows it.
    init(status: Status, value: LuaValue, rendersItself: Bool = false) {
        self.status = status
        self.value = value
        switch value {
        case .table(let t):
            kind = t["kind"].stringValue
            if let m = t["message"].textValue {
                message = rendersItself || (kind ?? "").isEmpty ? m : "\(kind!): \(m)"
            } else {
                message = "error (\(kind ?? "no message"))"
            }
            traceback = t["traceback"].stringValue
        case .string, .bytes:
            let text = value.textValue ?? ""
            kind = nil
            if let r = text.range(of: "\nstack traceback:") {
                message = String(text[..<r.lowerBound])
                traceback = String(text[text.index(after: r.lowerBound)...])
            } else {
                message = text
                traceback = nil
            }
        default:
            kind = nil
            message = "(error object is a \(value.typeName) value)"
            traceback = nil
        }
    }

    public init(message: String) {
        self.init(status: .other(-1), value: .string(message))
    }

    /// "file:line" where a structured error was raised, when known.
    public var location: String? {
        if case .table(let t) = value, let w = t["where"].stringValue, !w.isEmpty { return w }
        return nil
    }

    public var description: String { message }
}
