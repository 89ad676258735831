import Testing
@testable import UnideskHTTP

/// The response header lines libcurl hands over, read byte by byte (HeaderLine): the same
/// names and values as the Foundation trimming they replace.
@Suite struct HeaderLineTests {
    func field(_ s: String) -> (name: String, value: String)? {
        Array(s.utf8).withUnsafeBufferPointer { HeaderLine.field($0) }
    }

    func isStatus(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer { HeaderLine.isStatusLine($0) } }

    @Test func aFieldIsItsLowercasedNameAndItsTrimmedValue() {
        #expect(field("Content-Type: application/json\r\n")! == ("content-type", "application/json"))
        #expect(field("X-Empty:\r\n")! == ("x-empty", ""))
        #expect(field("X-Tabs:\t two  words \t\r\n")! == ("x-tabs", "two  words"))
        // Only the first colon separates: a value may hold more.
        #expect(field("Location: https://h:8443/p?q=a:b\r\n")! == ("location", "https://h:8443/p?q=a:b"))
        // UTF-8 in a value is kept whole; bytes that are not UTF-8 are replaced, as before.
        #expect(field("X-Name: Zürich \r\n")! == ("x-name", "Zürich"))
        #expect(Array(field("X-Raw: a\u{FFFD}b")!.value.unicodeScalars).count == 3)
    }

    @Test func theBlankLineAndTheStatusLineAreNoFields() {
        #expect(field("\r\n") == nil)
        #expect(isStatus("HTTP/1.1 200 OK\r\n") && isStatus("HTTP/2 201\r\n"))
        #expect(!isStatus("HTTP") && !isStatus("X-HTTP/1.1: x\r\n"))
    }
}
