import CSystem
import CCurl

/// The libcurl transport every network primitive shares (registry, http, kube). One multi
/// handle: connections are reused across calls, requests run concurrently in `performAll`
/// (HTTP/2 multiplexed where offered), and results come back in input order.
public final class HTTPTransport {
    private static let globalInit: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    /// nil when libcurl could not be loaded (it is loaded on first use): every request then
    /// fails with `unavailable`.
    private let multi: UnsafeMutableRawPointer?

    public init() {
        _ = Self.globalInit
        multi = curl_multi_init()
        if let multi { _ = ud_curlm_set_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX)) }
    }

    deinit { if let multi { curl_multi_cleanup(multi) } }

    /// Why no request can be made (libcurl missing), as a network error naming what to install.
    static var unavailable: HTTPError? {
        ud_lazy_curl().map { HTTPError(kind: .network, message: "no HTTP client: " + String(cString: $0)) }
    }

    public func perform(_ request: HTTPRequest) -> Result<HTTPResponse, HTTPError> {
        performAll([request], maxConcurrent: 1)[0]
    }

    /// Runs every request, at most `maxConcurrent` at a time (and per host). One failure
    /// does not affect the others.
    public func performAll(_ requests: [HTTPRequest], maxConcurrent: Int) -> [Result<HTTPResponse, HTTPError>] {
        guard let multi else {
            let error = Self.unavailable ?? HTTPError(kind: .network, message: "no HTTP client: curl_multi_init failed")
            return requests.map { _ in .failure(error) }
        }
        var results = [Result<HTTPResponse, HTTPError>?](repeating: nil, count: requests.count)
        var inFlight: [Int: Transfer] = [:]
        var next = 0
        let limit = max(1, maxConcurrent)
        _ = ud_curlm_set_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, limit)
        while next < requests.count || !inFlight.isEmpty {
            while inFlight.count < limit && next < requests.count {
                let i = next
                next += 1
                do {
                    let t = try Transfer(requests[i])
                    _ = ud_curl_set_private(t.handle, UnsafeMutableRawPointer(bitPattern: i + 1))
                    curl_multi_add_handle(multi, t.handle)
                    inFlight[i] = t
                } catch {
                    results[i] = .failure(error)
                }
            }
            // A stop (SIGTERM, SIGINT) ends every transfer: the run is ending, and a request
            // the server got is complete or not there, never half-applied.
            if ud_stop_cuts_waits() != 0 {
                let stopped = HTTPError(kind: .network, message: "not completed: unidesk is stopping (\(String(cString: ud_stop_signal_name())))")
                for (i, t) in inFlight {
                    curl_multi_remove_handle(multi, t.handle)
                    results[i] = .failure(stopped)
                }
                inFlight = [:]
                for i in next..<requests.count { results[i] = .failure(stopped) }
                next = requests.count
                break
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let msg = curl_multi_info_read(multi, &left) {
                guard msg.pointee.msg == CURLMSG_DONE, let easy = msg.pointee.easy_handle else { continue }
                let i = Int(bitPattern: ud_curl_private(easy)) - 1
                let code = msg.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                if let t = inFlight.removeValue(forKey: i) { results[i] = t.finish(code) }
            }
            if running > 0 { curl_multi_poll(multi, nil, 0, 100, nil) }
        }
        return results.map { $0 ?? .failure(HTTPError(kind: .network, message: "request not performed")) }
    }
}
