import LuaRuntime

/// Where the completer looks names up: the live session (ReplSessionNames), or a fake.
protocol ReplNames {
    /// The string keys of the value at `path` from the globals (`[]`: the globals), with those
    /// its metatable's __index tables add; nil when nothing is there.
    func keys(at path: [String]) -> [CompletionKey]?
}

/// What TAB does with the text before the cursor.
enum ReplCompletion: Equatable {
    /// Nothing to complete (libedit beeps).
    case none
    /// Insert this text (a tab: indentation, a tab typed inside a string, pasted tabs).
    case insert(String)
    /// Replace the text from scalar offset `start` to the cursor with one of `candidates`
    /// (sorted, each starting with that text).
    case words(start: Int, candidates: [String])
}

/// What to offer for TAB, from the text before the cursor alone: pure, so it is tested
/// without a terminal or a Lua state.
struct ReplCompleter {
    let names: ReplNames
    /// `:` commands (ReplCommandLine.summaries).
    let commands: [String]
    /// Capabilities `:allow` grants ("pg.exec"); `family.*` is offered for each family.
    let capabilities: [String]
    /// Functions of unidesk.* host modules that require has not loaded yet ("unidesk.kube"
    /// → ["apply", …]): known from their specs, without loading anything.
    let hostModules: [String: [String]]

    static let keywords: Set<String> = [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]

    func complete(_ beforeCursor: String) -> ReplCompletion {
        let line = Array(beforeCursor.unicodeScalars)
        if line.allSatisfy({ $0 == " " || $0 == "\t" }) { return .insert("\t") }
        let firstNonBlank = line.firstIndex { $0 != " " && $0 != "\t" }!
        if line[firstNonBlank] == ":", firstNonBlank + 1 == line.count || line[firstNonBlank + 1] != ":" {
            return command(line, from: firstNonBlank + 1)
        }
        if Self.insideStringOrComment(line) { return .insert("\t") }
        if line[firstNonBlank] == "?" { return help(line, from: firstNonBlank + 1) }
        return lua(line)
    }

    /// The name after `?` or `:help `: as in Lua, and also the unidesk modules by their short
    /// names (`kube.apply`), as help finds them.
    private func help(_ line: [Unicode.Scalar], from start: Int) -> ReplCompletion {
        let shifted = lua(Array(line[start...]), help: true)
        if case .words(let s, let candidates) = shifted { return .words(start: s + start, candidates: candidates) }
        return shifted == .insert("\t") ? .none : shifted
    }

    // MARK: commands

    private func command(_ line: [Unicode.Scalar], from start: Int) -> ReplCompletion {
        let rest = line[start...]
        guard let blank = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            return Self.words(start: start, typed: String(String.UnicodeScalarView(rest)), from: commands)
        }
        let name = String(String.UnicodeScalarView(line[start..<blank]))
        var argumentStart = blank
        while argumentStart < line.count, line[argumentStart] == " " || line[argumentStart] == "\t" { argumentStart += 1 }
        let argument = line[argumentStart...]
        guard !argument.contains(where: { $0 == " " || $0 == "\t" }) else { return .none }
        switch name {
        case "allow":
            if let quote = argument.first, quote == "'" || quote == "\"" { argumentStart += 1 }
            let typed = String(String.UnicodeScalarView(line[argumentStart...]))
            let families: [String] = capabilities.compactMap { c in c.split(separator: ".").first.map { String($0) + ".*" } }
            return Self.words(start: argumentStart, typed: typed, from: capabilities + families)
        case "help", "h", "?":
            return help(line, from: argumentStart)
        default:
            return .none
        }
    }

    // MARK: Lua

    private func lua(_ line: [Unicode.Scalar], help: Bool = false) -> ReplCompletion {
        var wordStart = line.count
        while wordStart > 0, Self.isNameChar(line[wordStart - 1]) { wordStart -= 1 }
        let word = String(String.UnicodeScalarView(line[wordStart...]))
        if let first = word.unicodeScalars.first, ("0"..."9").contains(first) { return .none }
        guard wordStart > 0, line[wordStart - 1] == "." || line[wordStart - 1] == ":" else {
            // Nothing typed to complete (after `=`, `(`, a blank…): the tab goes in as typed.
            if word.isEmpty { return .insert("\t") }
            var globals = names.keys(at: [])?.map(\.name) ?? []
            if help { globals += hostModules.keys.map { String($0.dropFirst("unidesk.".count)) } }
            return Self.words(start: wordStart, typed: word, from: globals.filter { Self.isName($0) })
        }
        let methods = line[wordStart - 1] == ":"
        // A `..` is concatenation, not a field.
        if !methods, wordStart >= 2, line[wordStart - 2] == "." { return .none }
        guard let target = Self.target(line, before: wordStart - 1) else { return .none }
        var keys: [String]
        switch target {
        case .path(let path):
            if let found = names.keys(at: path) {
                keys = found.filter { !methods || $0.isFunction }.map(\.name)
            } else if help, !methods, path.count == 1, let functions = hostModules["unidesk." + path[0]] {
                keys = functions
            } else {
                return .none
            }
        case .module(let module):
            if let found = names.keys(at: ["package", "loaded", module]) {
                keys = found.filter { !methods || $0.isFunction }.map(\.name)
            } else if !methods, let functions = hostModules[module] {
                keys = functions
            } else {
                return .none
            }
        }
        return Self.words(start: wordStart, typed: word, from: keys.filter { Self.isName($0) })
    }

    enum Target: Equatable {
        /// A chain of names from the globals: `unidesk.env` → ["unidesk", "env"].
        case path([String])
        /// `require("name")` / `require "name"` / `require 'name'`.
        case module(String)
    }

    /// What the expression ending just before `end` (a `.` or `:`) names, when it is a plain
    /// chain of names or a require call with a literal name; nil for anything else (calls,
    /// indexing with [], literals): completing those would mean running code.
    static func target(_ line: [Unicode.Scalar], before end: Int) -> Target? {
        var i = end
        if i > 0, line[i - 1] == ")" || line[i - 1] == "\"" || line[i - 1] == "'" {
            return requireCall(line, endingAt: i)
        }
        var path: [String] = []
        while true {
            let nameEnd = i
            while i > 0, isNameChar(line[i - 1]) { i -= 1 }
            let name = String(String.UnicodeScalarView(line[i..<nameEnd]))
            guard isName(name) else { return nil }
            path.insert(name, at: 0)
            guard i > 0, line[i - 1] == "." else { break }
            i -= 1
            if i > 0, line[i - 1] == "." { return nil }   // `..`
        }
        if i > 0, [":", ")", "]", "}", "\"", "'"].contains(line[i - 1]) { return nil }
        return .path(path)
    }

    /// `require("x")`, `require "x"` or `require 'x'` ending at `end`.
    private static func requireCall(_ line: [Unicode.Scalar], endingAt end: Int) -> Target? {
        var i = end
        let parenthesised = line[i - 1] == ")"
        if parenthesised { i -= 1 }
        guard i > 0, let quote = Optional(line[i - 1]), quote == "\"" || quote == "'" else { return nil }
        let nameEnd = i - 1
        guard let open = line[..<nameEnd].lastIndex(of: quote) else { return nil }
        let module = String(String.UnicodeScalarView(line[(open + 1)..<nameEnd]))
        guard !module.isEmpty, !module.unicodeScalars.contains("\\") else { return nil }
        i = open
        if parenthesised {
            while i > 0, line[i - 1] == " " { i -= 1 }
            guard i > 0, line[i - 1] == "(" else { return nil }
            i -= 1
        }
        while i > 0, line[i - 1] == " " { i -= 1 }
        let callee = Array("require".unicodeScalars)
        guard i >= callee.count, Array(line[(i - callee.count)..<i]) == callee else { return nil }
        let before = i - callee.count
        if before > 0, isNameChar(line[before - 1]) || line[before - 1] == "." || line[before - 1] == ":" { return nil }
        return .module(module)
    }

    // MARK: words

    /// The names starting with `typed`; those starting with "_" (internals, metamethods,
    /// _G) only when `typed` does.
    static func words(start: Int, typed: String, from names: [String]) -> ReplCompletion {
        let candidates = Set(names.filter { $0.hasPrefix(typed) && (!$0.hasPrefix("_") || typed.hasPrefix("_")) }).sorted()
        if candidates.isEmpty { return .none }
        // A table with thousands of keys: what they share is inserted, the list is not shown
        // (libedit would ask "Display all?" reading stdin behind the line reader's back).
        if candidates.count > listLimit { return .words(start: start, candidates: [ReplCompletion.commonPrefix(candidates)]) }
        return .words(start: start, candidates: candidates)
    }

    /// The most candidates TAB lists.
    static let listLimit = 500

    static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    /// A Lua name: what can follow a `.` or stand alone (not a keyword).
    static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy(isNameChar) && !keywords.contains(s)
    }

    /// Whether the end of `line` is inside a string or a comment that starts on this line.
    static func insideStringOrComment(_ line: [Unicode.Scalar]) -> Bool {
        var i = 0
        func longBracket(at j: Int) -> Int? {   // `[`, `=`*, `[`: the level
            guard j < line.count, line[j] == "[" else { return nil }
            var k = j + 1
            while k < line.count, line[k] == "=" { k += 1 }
            return k < line.count && line[k] == "[" ? k - j - 1 : nil
        }
        func closeLong(from j: Int, level: Int) -> Int? {   // index after `]`, `=`*level, `]`
            let close = ["]"] + Array(repeating: "=", count: level) + ["]"] as [Unicode.Scalar]
            var k = j
            while k + close.count <= line.count {
                if Array(line[k..<(k + close.count)]) == close { return k + close.count }
                k += 1
            }
            return nil
        }
        while i < line.count {
            let c = line[i]
            if c == "-", i + 1 < line.count, line[i + 1] == "-" {
                guard let level = longBracket(at: i + 2) else { return true }   // to the end of the line
                guard let after = closeLong(from: i + 4 + level, level: level) else { return true }
                i = after
            } else if c == "\"" || c == "'" {
                i += 1
                while i < line.count, line[i] != c {
                    i += line[i] == "\\" ? 2 : 1
                }
                if i >= line.count { return true }
                i += 1
            } else if let level = longBracket(at: i) {
                guard let after = closeLong(from: i + 2 + level, level: level) else { return true }
                i = after
            } else {
                i += 1
            }
        }
        return false
    }
}
