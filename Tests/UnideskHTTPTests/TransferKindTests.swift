import Testing
@testable import UnideskHTTP

@Suite struct HTTPTransportLocalTests {
    @Test func refusesNonHTTPSchemes() {
        let r = HTTPTransport().perform(HTTPRequest(url: "file:///etc/passwd"))
        guard case .failure(let e) = r else { Issue.record("file:// was fetched"); return }
        #expect(e.kind == .invalidRequest)
    }

    @Test func connectionRefusedIsANetworkError() {
        // Port 9 (discard) on loopback: nothing listens there on this machine kind.
        let r = HTTPTransport().perform(HTTPRequest(url: "http://127.0.0.1:9/", timeout: 5))
        guard case .failure(let e) = r else { Issue.record("expected a failure"); return }
        #expect(e.kind == .network)
        #expect(e.message.contains("127.0.0.1:9"))
    }
}
