import Foundation
import Testing
@testable import UnideskHTTP

@Suite struct RetryPolicyTests {
    @Test func retryAfterReadsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)   // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(RetryPolicy.retryAfter("3", now: now) == 3)
        #expect(RetryPolicy.retryAfter("Tue, 14 Nov 2023 22:13:25 GMT", now: now) == 5)
        #expect(RetryPolicy.retryAfter("Tue, 14 Nov 2023 22:13:00 GMT", now: now) == 0, "a date past is no wait")
        #expect(RetryPolicy.retryAfter("soon", now: now) == nil)
        #expect(RetryPolicy.retryAfter(nil, now: now) == nil)
    }

    @Test func retryAfterIsCappedAndOnlyFor429And503() {
        let p = RetryPolicy(retries: 3, baseDelay: 0.5, maxDelay: 10, maxRetryAfter: 60)
        func answer(_ status: Int, _ after: String) -> HTTPResponse {
            HTTPResponse(status: status, headers: [("retry-after", after)], body: [], truncated: false, httpVersion: "1.1", seconds: 0)
        }
        #expect(p.delay(after: 1, response: answer(503, "2")) == 2)
        #expect(p.delay(after: 1, response: answer(429, "3600")) == 60)
        #expect(p.delay(after: 1, response: answer(502, "2")) == 0.5, "502 backs off by the doubling delay")
        #expect(p.delay(after: 3, response: nil) == 2)
        #expect(p.delay(after: 10, response: nil) == 10)
    }

    @Test func onlyIdempotentOrKeyedRequestsRetry() {
        #expect(RetryPolicy.mayRetry(method: "PUT", idempotencyKey: false))
        #expect(RetryPolicy.mayRetry(method: "delete", idempotencyKey: false))
        #expect(!RetryPolicy.mayRetry(method: "POST", idempotencyKey: false))
        #expect(!RetryPolicy.mayRetry(method: "PATCH", idempotencyKey: false))
        #expect(RetryPolicy.mayRetry(method: "POST", idempotencyKey: true))
    }
}
