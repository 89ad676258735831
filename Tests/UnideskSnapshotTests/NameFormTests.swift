import Testing
@testable import UnideskSnapshot

/// The restore's check of entry names has a fast path for names already in tar's plain form;
/// it must give what the full normalisation gives, or leave the name to it.
extension SnapshotTests {
    @Suite struct NameFormTests {
        static let names = ["./a/b", "a", "./", ".", "", "./a//b", "a/./b", "a/../b", "/abs", "a/", "..a", "a/...",
                            "./../x", "././a", "a/.b", ".hidden/x", "...", "a/..", "//", "./.", "a/b/c/d.txt", "ünï/cödé"]

        @Test(arguments: names)
        func fastPathAgreesWithTheFullNormalisation(_ name: String) throws {
            let full: String?
            do { full = try TarScanner.relative(name, what: "entry") } catch { full = nil }
            if let fast = TarScanner.plainRelative(name) {
                #expect(full == fast, "'\(name)': fast path '\(fast)', full normalisation \(full.map { "'\($0)'" } ?? "refuses it")")
            }
        }

        @Test func tarsUsualNamesTakeTheFastPath() {
            #expect(TarScanner.plainRelative("./d00/sub000/f00000.bin") == "d00/sub000/f00000.bin")
            #expect(TarScanner.plainRelative("./") == "")
            #expect(TarScanner.plainRelative("./links/...") == "links/...")
            for refused in ["./a/../b", "/etc/passwd", "..", "a/."] { #expect(TarScanner.plainRelative(refused) == nil, "\(refused)") }
        }
    }
}
