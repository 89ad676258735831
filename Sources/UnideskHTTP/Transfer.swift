import CCurl
import Foundation

/// One request in flight: its easy handle and what the callbacks collect.
final class Transfer {
    let request: HTTPRequest
    let handle: UnsafeMutableRawPointer
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var truncated = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(_ request: HTTPRequest) throws(HTTPError) {
        guard let h = curl_easy_init() else { throw HTTPTransport.unavailable ?? HTTPError(kind: .network, message: "cannot create a curl handle") }
        self.request = request
        self.handle = h
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func configure() throws(HTTPError) {
        let r = request
        guard r.url.hasPrefix("http://") || r.url.hasPrefix("https://") else {
            throw HTTPError(kind: .invalidRequest, message: "only http and https URLs are allowed, got '\(r.url)'")
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = ud_curl_set_str(handle, CURLOPT_URL, r.url)
        _ = ud_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ud_curl_set_str(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ud_curl_set_str(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = ud_curl_set_str(handle, CURLOPT_USERAGENT, "unidesk/0.1")
        _ = ud_curl_set_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(r.timeout * 1000)))
        _ = ud_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(min(r.connectTimeout, r.timeout) * 1000)))
        if r.maxRedirects > 0 {
            _ = ud_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 1)
            _ = ud_curl_set_long(handle, CURLOPT_MAXREDIRS, r.maxRedirects)
        }
        switch r.method {
        case "GET": break
        case "HEAD": _ = ud_curl_set_long(handle, CURLOPT_NOBODY, 1)
        default: _ = ud_curl_set_str(handle, CURLOPT_CUSTOMREQUEST, r.method)
        }
        if let body = r.body {
            _ = ud_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            body.withUnsafeBytes { _ = ud_curl_set_ptr(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)) }
        }
        for (name, value) in r.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        if let headerList { _ = ud_curl_set_slist(handle, CURLOPT_HTTPHEADER, headerList) }
        if let proxy = r.proxy {
            _ = ud_curl_set_str(handle, CURLOPT_PROXY, proxy)
        } else if !r.useEnvironmentProxy {
            _ = ud_curl_set_str(handle, CURLOPT_PROXY, "")   // "" = no proxy, whatever the environment says
        }
        try configureTLS(r.tls)
        _ = ud_curl_set_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = ud_curl_set_datafn(handle, CURLOPT_WRITEFUNCTION, writeBody)
        _ = ud_curl_set_ptr(handle, CURLOPT_WRITEDATA, me)
        _ = ud_curl_set_datafn(handle, CURLOPT_HEADERFUNCTION, writeHeader)
        _ = ud_curl_set_ptr(handle, CURLOPT_HEADERDATA, me)
    }

    private func configureTLS(_ t: TLSOptions) throws(HTTPError) {
        if !t.verify {
            _ = ud_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            _ = ud_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let f = t.caFile { _ = ud_curl_set_str(handle, CURLOPT_CAINFO, f) }
        if var d = t.caPEM { d.withUnsafeMutableBytes { _ = ud_curl_set_blob(handle, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) } }
        if let f = t.clientCertFile { _ = ud_curl_set_str(handle, CURLOPT_SSLCERT, f) }
        if let f = t.clientKeyFile { _ = ud_curl_set_str(handle, CURLOPT_SSLKEY, f) }
        if var d = t.clientCertPEM { d.withUnsafeMutableBytes { _ = ud_curl_set_blob(handle, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count) } }
        if var d = t.clientKeyPEM { d.withUnsafeMutableBytes { _ = ud_curl_set_blob(handle, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) } }
    }

    /// The outcome once curl reports the transfer done.
    func finish(_ code: CURLcode) -> Result<HTTPResponse, HTTPError> {
        // A body over the cap aborts the transfer on purpose: that is a (truncated) answer.
        if code == CURLE_OK || (code == CURLE_WRITE_ERROR && truncated) {
            let version: String
            switch ud_curl_http_version(handle) {
            case Int(CURL_HTTP_VERSION_2_0): version = "2"
            case Int(CURL_HTTP_VERSION_1_0): version = "1.0"
            default: version = "1.1"
            }
            return .success(HTTPResponse(status: ud_curl_response_code(handle), headers: headers, body: body,
                                         truncated: truncated, httpVersion: version, seconds: ud_curl_total_time(handle)))
        }
        let detail = String(cString: errorBuffer)
        let what = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return .failure(HTTPError(kind: Self.kind(of: code), message: "\(request.method) \(request.url): \(what)"))
    }

    static func kind(of code: CURLcode) -> HTTPError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_ENGINE_NOTFOUND:
            return .tls
        case CURLE_WEIRD_SERVER_REPLY, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_CONTENT_ENCODING,
             CURLE_TOO_MANY_REDIRECTS, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_URL_MALFORMAT, CURLE_HTTP3:
            return .protocolError
        default: return .network
        }
    }
}

private let writeBody: ud_curl_data_cb = { ptr, size, nmemb, ud in
    let t = Unmanaged<Transfer>.fromOpaque(ud!).takeUnretainedValue()
    let n = size * nmemb
    let room = t.request.maxBodyBytes - t.body.count
    let take = min(n, max(0, room))
    if take > 0 {
        ptr!.withMemoryRebound(to: UInt8.self, capacity: take) { t.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: take)) }
    }
    if take < n { t.truncated = true; return 0 }   // abort: the cap is reached
    return n
}

private let writeHeader: ud_curl_data_cb = { ptr, size, nmemb, ud in
    let t = Unmanaged<Transfer>.fromOpaque(ud!).takeUnretainedValue()
    let n = size * nmemb
    ptr!.withMemoryRebound(to: UInt8.self, capacity: n) {
        let line = UnsafeBufferPointer(start: $0, count: n)
        if HeaderLine.isStatusLine(line) {
            t.headers.removeAll()   // a new response (after a redirect or 100 Continue)
        } else if let field = HeaderLine.field(line) {
            t.headers.append(field)
        }
    }
    return n
}

