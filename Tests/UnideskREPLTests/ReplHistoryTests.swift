import Testing
import UnideskCore
import UnideskREPL

/// What of an input reaches the history file.
@Suite struct ReplHistoryTests {
    @Test("every line of an ordinary input is remembered")
    func ordinary() {
        #expect(ReplHistory.entries(for: ["for i = 1, 3 do", "  print(i)", "end"], redactor: Redactor())
                == ["for i = 1, 3 do", "  print(i)", "end"])
    }

    @Test("an input that creates a secret is not remembered, whichever line does it")
    func createsSecret() {
        let r = Redactor()
        #expect(ReplHistory.entries(for: ["p = unidesk.secret('hunter2')"], redactor: r).isEmpty)
        #expect(ReplHistory.entries(for: ["t = {", "  pw = secret \"x\",", "}"], redactor: r).isEmpty)
        #expect(ReplHistory.entries(for: ["x = secret[[y]]"], redactor: r).isEmpty)
        // The word alone is not a call.
        #expect(ReplHistory.entries(for: ["secretary = 1"], redactor: r) == ["secretary = 1"])
    }

    @Test("an input holding a known secret value is not remembered")
    func knownValue() {
        let r = Redactor()
        r.register("s3cr3t-token")
        #expect(ReplHistory.entries(for: ["x = 'a'", "y = 's3cr3t-token'"], redactor: r).isEmpty)
        #expect(ReplHistory.entries(for: ["y = 'other'"], redactor: r) == ["y = 'other'"])
    }
}
