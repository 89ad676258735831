import Foundation
import Testing
import UnideskTestSupport

/// Lua strings are bytes: a recipe's source, print, the log, error messages, outputs and
/// JSON each keep them exactly or say where they cannot (issue 20).
@Suite("Byte-exact strings: source, print, log, errors, outputs, JSON")
struct ByteExactStringsTests {
    /// A recipe file written as bytes (a Latin-1 literal is not UTF-8).
    static func recipe(_ bytes: [UInt8]) throws -> RecipeRun {
        let r = try RecipeRun("")
        try Data(bytes).write(to: URL(fileURLWithPath: r.dir.path("recipe.lua")))
        return r
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test("raw bytes in a string literal reach Lua unchanged, and print writes them byte for byte (NUL included)")
    func rawSourceBytesAndPrint() throws {
        // local s = "<E1 FF>"; print(#s, s:byte(1, -1)); print("\xe9\xff\x00end"); print(s)
        let source = Self.bytes("local s = \"") + [0xE1, 0xFF] + Self.bytes("\"\nprint(#s, s:byte(1, -1))\nprint(\"\\xe9\\xff\\x00end\")\nprint(s)\n")
        let r = try Self.recipe(source)
        defer { r.remove() }
        let result = try r.run()
        #expect(result.exitCode == 0, "\(result.summary)")
        let expected = Self.bytes("2\t225\t255\n") + [0xE9, 0xFF, 0x00] + Self.bytes("end\n") + [0xE1, 0xFF, 0x0A]
        #expect(Array(result.stdoutBytes) == expected)
    }

    @Test("io.write and io.stderr:write write bytes exactly, as print does")
    func ioWriteBytes() throws {
        let r = try RecipeRun(#"io.write("c\xfe", 1, "\n") io.stderr:write("a\xffb\n")"#)
        defer { r.remove() }
        let result = try r.run()
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(Array(result.stdoutBytes) == [0x63, 0xFE, 0x31, 0x0A])
        #expect(result.stderrBytes.starts(with: [0x61, 0xFF, 0x62, 0x0A]))
    }

    @Test("unidesk.log and error messages show bytes that are not UTF-8 as \\xNN, in the terminal and the report")
    func logAndErrorsEscape() throws {
        let r = try RecipeRun(#"unidesk.log.info("got \xff\xfe ok") error("bad \xe9 byte")"#)
        defer { r.remove() }
        let result = try r.run("run", ["--report", r.report])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains(#"[info] got \xff\xfe ok"#), "\(result.summary)")
        #expect(result.stderr.contains(#"bad \xe9 byte"#), "\(result.summary)")
        #expect(!result.stderr.contains("\u{FFFD}"), "\(result.summary)")
        let message = (r.reportJSON?["error"] as? [String: Any])?["message"] as? String
        #expect(message?.contains(#"bad \xe9 byte"#) == true, "\(String(describing: message))")
    }

    @Test("json.encode of a string that is not UTF-8 names where it is; invalid_utf8 = escape or replace asks for it")
    func jsonEncode() throws {
        let r = try RecipeRun(#"""
            local json = require "unidesk.json"
            local ok, err = pcall(json.encode, { env = { TOKEN = "ab\xffc" } })
            print(ok, err)
            print(json.encode({ s = "a\xffb" }, { invalid_utf8 = "escape" }) == '{"s":"a\u{00FF}b"}' and "escape ok" or "escape wrong")
            print(json.decode(json.encode("a\xffb", { invalid_utf8 = "escape" })) == "a\u{00FF}b")
            print(json.encode("a\xffb", { invalid_utf8 = "replace" }) == '"a\u{FFFD}b"')
            print(pcall(json.encode, "x", { invalid_utf8 = "drop" }))
            """#)
        defer { r.remove() }
        let result = try r.run()
        #expect(result.exitCode == 0, "\(result.summary)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(result.summary)")
        #expect(lines.first?.hasPrefix("false\trecipe.lua:2: bad argument #1 to 'unidesk.json.encode' (value.env.TOKEN: not valid UTF-8 (byte 0xFF at offset 2)") == true, "\(lines)")
        #expect(lines.dropFirst() == ["escape ok", "true", "true", #"false\#trecipe.lua:7: bad argument #2 to 'unidesk.json.encode' (invalid_utf8: "error", "escape" or "replace" expected, got "drop")"#])
    }

    @Test("an output or a state value that is not UTF-8 is refused, naming it, instead of being altered")
    func outputsAndStateRefuse() throws {
        let r = try RecipeRun(#"""
            print(pcall(unidesk.output, "bin", "\xe9\xff"))
            print(pcall(require("unidesk.state").set, "k", { v = "\xff" }))
            unidesk.output("text", "caf\u{E9}")
            """#)
        defer { r.remove() }
        let result = try r.run("run", ["--allow", "state.set:*", "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.contains("bad argument #2 to 'unidesk.output' (output 'bin': not valid UTF-8 (byte 0xE9 at offset 0)"), "\(result.summary)")
        #expect(result.stdout.contains("not valid UTF-8 (byte 0xFF at offset 0)"), "\(result.summary)")
        let outputs = r.reportJSON?["outputs"] as? [String: Any]
        #expect(outputs?["bin"] == nil)
        #expect(outputs?["text"] as? String == "café")
        #expect(r.stateFiles.isEmpty, "\(r.stateFiles)")
    }

    @Test("print masks a secret inside bytes that are not UTF-8, and keeps every other byte")
    func printScrubsBytes() throws {
        let r = try RecipeRun(#"print(require("unidesk.fs").read("data.bin"))"#)
        defer { r.remove() }
        try Data([0xFF] + Self.bytes("tok-58af21") + [0xFE, 0x0A]).write(to: URL(fileURLWithPath: r.dir.path("data.bin")))
        let result = try r.run("run", ["--secret-env", "BYTES_TOKEN"], environment: ["BYTES_TOKEN": "tok-58af21"])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(Array(result.stdoutBytes) == [0xFF] + Self.bytes("<secret>") + [0xFE, 0x0A, 0x0A])
    }
}
