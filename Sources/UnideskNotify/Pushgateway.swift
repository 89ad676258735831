import UnideskHTTP

/// A push of one group's metrics: PUT, which replaces the group (a batch job's last run).
public enum Pushgateway {
    /// nil when the Pushgateway took it; otherwise what went wrong.
    public static func put(url: String, families: [MetricFamily], timeout: Double) -> String? {
        let req = HTTPRequest(method: "PUT", url: url, headers: [("Content-Type", "text/plain; version=0.0.4")],
                              body: Array(Exposition.text(families).utf8), timeout: timeout, maxBodyBytes: 64 * 1024, maxRedirects: 0)
        // The run is over: no deadline but the push's own (each attempt's timeout, 2 retries).
        let outcome = HTTPTransport().perform(req, policy: RetryPolicy(retries: 2), remaining: { timeout })
        return outcome.undeliveredReason(bodyPrefix: 300)
    }
}
