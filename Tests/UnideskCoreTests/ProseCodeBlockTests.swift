import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings

/// The ```lua blocks of the prose docs (README.md, docs/*.md, recipes/*/README.md) are
/// compiled as `unidesk check` compiles a recipe, so a doc cannot show code that no longer
/// parses or requires a module that does not exist. Conventions (docs/design.md, "Docs that
/// cannot drift"): `<!-- fragment -->` on the line before a block exempts a deliberately
/// incomplete one; `<!-- run -->` also runs the block as a whole recipe (`unidesk plan`: writes
/// are planned, not performed), for recipes that need no infrastructure.
@Suite struct ProseCodeBlockTests {
    struct Block {
        let file: String
        let line: Int
        let code: String
        let marker: String?
    }

    static let documents: [String] = {
        let fm = FileManager.default
        var out = ["README.md"]
        out += ((try? fm.contentsOfDirectory(atPath: "\(repositoryRoot)/docs")) ?? []).filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
        for recipe in ((try? fm.contentsOfDirectory(atPath: "\(repositoryRoot)/recipes")) ?? []).sorted()
        where fm.fileExists(atPath: "\(repositoryRoot)/recipes/\(recipe)/README.md") {
            out.append("recipes/\(recipe)/README.md")
        }
        return out
    }()

    /// The ```lua blocks of a Markdown text, with the HTML comment on the line before each.
    static func blocks(_ text: String, file: String) -> [Block] {
        let lines = text.components(separatedBy: "\n")
        var out: [Block] = []
        var i = 0
        while i < lines.count {
            guard lines[i].trimmingCharacters(in: .whitespaces) == "```lua" else { i += 1; continue }
            let previous = i > 0 ? lines[i - 1].trimmingCharacters(in: .whitespaces) : ""
            let marker = previous.hasPrefix("<!--") && previous.hasSuffix("-->")
                ? previous.dropFirst(4).dropLast(3).trimmingCharacters(in: .whitespaces) : nil
            var j = i + 1
            while j < lines.count && lines[j].trimmingCharacters(in: .whitespaces) != "```" { j += 1 }
            out.append(Block(file: file, line: i + 2, code: lines[(i + 1)..<min(j, lines.count)].joined(separator: "\n"), marker: marker))
            i = j + 1
        }
        return out
    }

    static var allBlocks: [Block] {
        documents.flatMap { doc in
            blocks((try? String(contentsOfFile: "\(repositoryRoot)/\(doc)", encoding: .utf8)) ?? "", file: doc)
        }
    }

    @Test func everyLuaBlockOfTheProseDocsCompiles() throws {
        let blocks = Self.allBlocks
        #expect(blocks.count >= 12, "the docs' ```lua blocks were not found")
        let dir = try TempRecipe([:])
        for b in blocks where b.marker != "fragment" {
            let path = "\(dir.dir)/block.lua"
            try FileManager.default.createDirectory(atPath: dir.dir, withIntermediateDirectories: true)
            try (b.code + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            // Prose blocks may lean on names their surrounding text introduced (`commit`, `fs`):
            // they must compile; undefined globals (warnings) are only checked in the reference's
            // examples, which are whole programs.
            let problems = try Checker(libraries: Libraries.all).check(path: path).filter { $0.severity == .error }
            #expect(problems.isEmpty, "\(b.file):\(b.line): the ```lua block does not compile (mark it <!-- fragment --> if it is deliberately incomplete): \(problems.map(\.text).joined(separator: "; "))")
        }
    }

    @Test func blocksMarkedRunRunAsWholeRecipes() throws {
        let runs = Self.allBlocks.filter { $0.marker == "run" }
        #expect(!runs.isEmpty)
        for b in runs {
            let t = try TempRecipe(["recipe.lua": b.code + "\n"])
            let r = try t.run(.plan(offline: false))
            #expect(r.exitCode == .ok, "\(b.file):\(b.line): the block marked <!-- run --> fails: \(r.error?.message ?? "")")
        }
    }

    @Test func markersAreReadFromTheLineBeforeTheBlock() {
        let text = "x\n<!-- fragment -->\n```lua\nif a then … end\n```\n\n```lua\nprint(1)\n```\n"
        let b = Self.blocks(text, file: "t.md")
        #expect(b.map(\.marker) == ["fragment", nil])
        #expect(b.map(\.code) == ["if a then … end", "print(1)"])
        #expect(b.map(\.line) == [4, 8])
    }
}
