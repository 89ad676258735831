import Foundation

/// A parsed `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
struct Challenge: Equatable {
    let scheme: String          // lower-cased: "bearer", "basic"
    let parameters: [String: String]

    /// Reads Unicode scalars, not Characters: a quote followed by a combining mark is one
    /// Character, and was not seen as a quote (found by Fuzz/Challenge).
    init?(_ header: String) {
        let trimmed = header.unicodeScalars.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " ") else {
            guard !trimmed.isEmpty else { return nil }
            scheme = String(trimmed).lowercased()
            parameters = [:]
            return
        }
        scheme = String(trimmed[..<space]).lowercased()
        var params: [String: String] = [:]
        var rest = trimmed[trimmed.index(after: space)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let eq = rest.firstIndex(of: "=") else { break }
            let key = String(rest[..<eq]).trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: eq)...]
            var value = String.UnicodeScalarView()
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let c = rest.first, c != "\"" {
                    // A backslash escapes the next scalar; a last one stays as it is.
                    if c == "\\", rest.dropFirst().first != nil { rest = rest.dropFirst() }
                    value.append(rest.first!)
                    rest = rest.dropFirst()
                }
                rest = rest.dropFirst()
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = String(rest[..<end]).trimmingCharacters(in: .whitespaces).unicodeScalars
                rest = rest[end...]
            }
            params[key] = String(value)
        }
        parameters = params
    }
}
