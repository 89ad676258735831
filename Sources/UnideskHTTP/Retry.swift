import CSystem
import Foundation

/// Retries of one HTTP write: when a request may be sent again, and how long to wait
/// between attempts. No Lua, no policy.
public struct RetryPolicy: Sendable {
    /// Attempts after the first (0 = sent once).
    public var retries: Int
    /// First backoff in seconds, doubled each attempt, capped at `maxDelay`.
    public var baseDelay: Double
    public var maxDelay: Double
    /// A Retry-After longer than this is cut to it.
    public var maxRetryAfter: Double

    public init(retries: Int, baseDelay: Double = 0.5, maxDelay: Double = 10, maxRetryAfter: Double = 60) {
        self.retries = max(0, retries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Whether a request may be sent more than once: PUT and DELETE (and the safe methods)
    /// are idempotent; anything else only with an idempotency key.
    public static func mayRetry(method: String, idempotencyKey: Bool) -> Bool {
        idempotencyKey || ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method.uppercased())
    }

    /// Whether an answer is worth another attempt: 408, 425, 429, 500, 502, 503, 504.
    public static func retriable(status: Int) -> Bool { [408, 425, 429, 500, 502, 503, 504].contains(status) }

    /// Whether a failure is worth another attempt (connection refused, reset, timed out;
    /// not a TLS or protocol error, nor an invalid request).
    public static func retriable(_ e: HTTPError) -> Bool { e.kind == .network || e.kind == .timeout }

    /// Retry-After as seconds: delta-seconds or an HTTP-date (RFC 9110), nil when absent or
    /// unreadable; never negative.
    public static func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        if let s = Double(v), s.isFinite { return max(0, s) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            f.dateFormat = format
            if let d = f.date(from: v) { return max(0, d.timeIntervalSince(now)) }
        }
        return nil
    }

    /// The wait before attempt `attempt` + 1 (attempt counts from 1): Retry-After when the
    /// answer gave one (429, 503), else the doubling backoff.
    public func delay(after attempt: Int, response: HTTPResponse?) -> Double {
        if let r = response, r.status == 429 || r.status == 503, let s = Self.retryAfter(r.header("retry-after")) {
            return min(s, maxRetryAfter)
        }
        return min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
    }
}

/// What a request with retries came to: the last result and how many attempts it took.
public struct RetriedResult: Sendable {
    public let result: Result<HTTPResponse, HTTPError>
    public let attempts: Int

    /// For a delivery that must be taken (an alert, a metrics push): nil for a 2xx answer,
    /// else what went wrong ("HTTP 500: <the start of the body>", or the transport's error).
    public func undeliveredReason(bodyPrefix: Int) -> String? {
        switch result {
        case .success(let r) where (200..<300).contains(r.status):
            return nil
        case .success(let r):
            let text = String(decoding: r.body.prefix(bodyPrefix), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return "HTTP \(r.status)" + (text.isEmpty ? "" : ": \(text)")
        case .failure(let e):
            return e.message
        }
    }
}

extension HTTPTransport {
    /// Sends `request`, again after a retriable failure or answer while `policy` allows and
    /// the wait fits in `remaining()` seconds (the step's or run's deadline); each attempt's
    /// timeout is cut to what is left. A stop (SIGTERM) ends the wait at once. The last
    /// answer is returned as it is (a 503 is an answer, not an error).
    public func perform(_ request: HTTPRequest, policy: RetryPolicy, remaining: () -> Double) -> RetriedResult {
        var attempt = 0
        while true {
            attempt += 1
            var r = request
            r.timeout = max(0.001, min(request.timeout, remaining()))
            let result = perform(r)
            let again: Bool
            var answer: HTTPResponse?
            switch result {
            case .success(let resp): again = RetryPolicy.retriable(status: resp.status); answer = resp
            case .failure(let e): again = RetryPolicy.retriable(e)
            }
            guard again, attempt <= policy.retries else { return RetriedResult(result: result, attempts: attempt) }
            let wait = policy.delay(after: attempt, response: answer)
            // A wait that would pass the deadline is not started: the last answer stands.
            guard wait < remaining() else { return RetriedResult(result: result, attempts: attempt) }
            let until = Date().addingTimeInterval(wait)
            while Date() < until {
                if ud_stop_cuts_waits() != 0 { return RetriedResult(result: result, attempts: attempt) }
                usleep(UInt32(max(1, min(50_000, until.timeIntervalSinceNow * 1e6))))
            }
        }
    }
}
