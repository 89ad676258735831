import Testing
import UnideskCore
import UnideskREPL

/// What of an input reaches the history file.
@Suite struct ReplHistoryTests {
    @Test("an input of several lines is one entry, its lines joined by newlines")
    func ordinary() {
        #expect(ReplHistory.entry(for: ["for i = 1, 3 do", "  print(i)", "end"], redactor: Redactor())
                == "for i = 1, 3 do\n  print(i)\nend")
        #expect(ReplHistory.entry(for: ["1 + 1"], redactor: Redactor()) == "1 + 1")
        #expect(ReplHistory.entry(for: ["", "  "], redactor: Redactor()) == nil)
    }

    @Test("an input that creates a secret is not remembered, whichever line does it")
    func createsSecret() {
        let r = Redactor()
        #expect(ReplHistory.entry(for: ["p = unidesk.secret('hunter2')"], redactor: r) == nil)
        #expect(ReplHistory.entry(for: ["t = {", "  pw = secret \"x\",", "}"], redactor: r) == nil)
        #expect(ReplHistory.entry(for: ["x = secret[[y]]"], redactor: r) == nil)
        // The word alone is not a call.
        #expect(ReplHistory.entry(for: ["secretary = 1"], redactor: r) == "secretary = 1")
    }

    @Test("an input holding a known secret value is not remembered")
    func knownValue() {
        let r = Redactor()
        r.register("s3cr3t-token")
        #expect(ReplHistory.entry(for: ["x = 'a'", "y = 's3cr3t-token'"], redactor: r) == nil)
        #expect(ReplHistory.entry(for: ["y = 'other'"], redactor: r) == "y = 'other'")
    }
}
