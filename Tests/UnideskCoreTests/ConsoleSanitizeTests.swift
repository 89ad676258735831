import Testing
@testable import UnideskCore

/// Console.sanitize returns text with nothing to escape as it is (a byte scan decides) and
/// escapes everything else as before.
@Suite struct ConsoleSanitizeTests {
    @Test(arguments: [
        ("pg.exec:unidesk_test@unidesk_admin", false, "pg.exec:unidesk_test@unidesk_admin"),
        ("tab\there", false, "tab\there"),
        ("ünïcödé ✓ 日本", false, "ünïcödé ✓ 日本"),
        ("\u{00A0}non-breaking", false, "\u{00A0}non-breaking"),
        ("two\nlines", true, "two\n    lines"),
        ("bell\u{07}", true, "bell\\x07"),
        ("escape\u{1B}[31m", true, "escape\\x1b[31m"),
        ("del\u{7F}", true, "del\\x7f"),
        ("c1\u{0085}next", true, "c1\\x85next"),
        ("c1 end\u{009F}", true, "c1 end\\x9f"),
        ("", false, ""),
    ])
    func escapesOnlyWhatNeedsIt(_ text: String, _ needs: Bool, _ shown: String) {
        #expect(Console.needsSanitizing(text) == needs)
        #expect(Console.sanitize(text) == shown)
    }
}
