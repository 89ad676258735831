import Foundation
import LuaRuntime
import UnideskCore
import UnideskHTTP

/// `require "unidesk.http"`: GET/HEAD for health endpoints (wait() is stdlib Lua on top).
public enum HTTPBinding {
    static let options = Param("options", .record([
        Param("timeout", .number, optional: true, "seconds (default 30, never past the run's deadline)"),
        Param("headers", .map(.stringOrSecret), optional: true, "request headers; secret values are sent but never logged"),
        Param("max_body", .integer, optional: true, "bytes kept of the body (default 1 MiB); more is cut and `truncated` set"),
        Param("redirects", .integer, optional: true, "redirects followed (default 5, 0 = none)"),
        Param("proxy", .boolean, optional: true, "honour HTTPS_PROXY/NO_PROXY (default true)"),
        Param("insecure", .boolean, optional: true, "skip TLS verification (default false)"),
    ]), optional: true, "")

    /// What get, head and wait return: the table with a `json` method (stdlib/unidesk/http.lua).
    static let response = StubClass(
        name: "unidesk.http.response", summary: "An HTTP response (get, head, wait). An error status (404, 503) is a response, not an error.",
        fields: [
            Param("status", .integer, "the HTTP status code"),
            Param("headers", .map(.string), "header names lower-cased"),
            Param("body", .string, "the body, cut at max_body bytes (empty for head)"),
            Param("truncated", .boolean, "whether the body was cut"),
            Param("url", .string, "the URL asked for"),
        ],
        methods: [("json", "any", "Decodes the body as JSON (raises kind=invalid when it is not).")])

    static func spec(_ name: String, _ summary: String, example: String) -> PrimitiveSpec {
        PrimitiveSpec(
            module: "http", name: name, summary: summary,
            params: [Param("url", .string, "http:// or https:// only"), options],
            returns: [(response.name, "response", "")],
            effect: .read, scope: "<host[:port]>",
            errors: ["raises kind = network | timeout | tls | protocol; an HTTP error status (404, 503) is a response, not an error",
                     "raises bad argument for a URL that is not http(s)"],
            example: example)
    }
    static let get = spec("get", "GET a URL. Timeouts follow the run's deadline; redirects bounded; the body is size-capped.", example: """
        local want = "3f2a9c1"
        local r = http.get("http://127.0.0.1:8081/health")
        if r.status == 200 and r:json().deploy.commit == want then unidesk.log.info("the new build is live") end
        """)
    static let head = spec("head", "HEAD a URL: status and headers, no body.", example: """
        local r = http.head("http://127.0.0.1:8081/releases/1.4.2.tar.gz")
        if r.status ~= 200 then unidesk.fail("release 1.4.2 is not published (status " .. r.status .. ")") end
        """)
    static let wait = PrimitiveSpec(
        module: "http", name: "wait",
        summary: "Polls a URL until `until(resp)` returns true (default: a status below 400), or raises kind=timeout with the last status or error. Connection errors while waiting are retried, one attempt per interval; failed attempts are not printed, and one summary line is logged when the wait took more than one attempt. A denial, or the pipeline step's own timeout (kind=timeout, deadline=\"step\"), ends the wait at once.",
        params: [Param("url", .string, ""), Param("options", .record([
            Param("timeout", .number, optional: true, "seconds to wait in all (default 60)"),
            Param("interval", .number, optional: true, "seconds between attempts (default 1, at least 0.1)"),
            Param("until", .function, optional: true, "function(resp) → boolean; `until` is a Lua keyword, so write the key as `[\"until\"] = …`"),
            Param("headers", .map(.stringOrSecret), optional: true, ""),
        ]), optional: true, "")],
        returns: [(response.name, "response", "the response that satisfied the condition")],
        errors: ["raises kind=timeout naming the last status or error"],
        example: """
        local url, want = "http://127.0.0.1:8081", "3f2a9c1"
        http.wait(url .. "/health", { timeout = 120, ["until"] = function(r) return r.status == 200 and r:json().deploy.commit == want end })
        """)

    public static let library = HostLibrary(
        name: "http", summary: "HTTP GET/HEAD and health polling (http and https only).",
        specs: [get, head, wait], classes: [response]
    ) { ctx in
        let transport = Lazy { HTTPTransport() }
        func host(_ url: String) throws -> String {
            guard let u = URLComponents(string: url), let scheme = u.scheme, scheme == "http" || scheme == "https", let h = u.host, !h.isEmpty else {
                throw HostError.argument(1, "an http:// or https:// URL expected, got '\(url)'")
            }
            return u.port.map { "\(h):\($0)" } ?? h
        }
        func call(_ method: String, _ args: [LuaValue]) throws -> [LuaValue] {
            let url = try args.string(0)
            _ = try host(url)
            let o = try args.optionalTable(1)
            var headers: [(String, String)] = []
            for (k, v) in o?["headers"].tableValue?.fields ?? [] {
                if case .secret(let s) = v { headers.append((k, s.reveal())) } else { headers.append((k, v.stringValue ?? "")) }
            }
            var tls = TLSOptions()
            tls.verify = !(o?.bool("insecure", default: false) ?? false)
            let req = HTTPRequest(method: method, url: url, headers: headers,
                                  timeout: ctx.timeout(o?.number("timeout"), Timeouts.http),
                                  maxBodyBytes: Int(o?.number("max_body") ?? Double(1 << 20)),
                                  maxRedirects: Int(o?.number("redirects") ?? 5),
                                  useEnvironmentProxy: o?.bool("proxy", default: true) ?? true, tls: tls)
            switch transport.get.perform(req) {
            case .success(let r):
                var hs: [(String, LuaValue)] = []
                for (k, v) in r.headers where !hs.contains(where: { $0.0 == k }) { hs.append((k, .string(v))) }
                return [.table(LuaTable(fields: [
                    ("status", .int(Int64(r.status))), ("headers", .table(LuaTable(fields: hs.sorted { $0.0 < $1.0 }))),
                    ("body", .bytesOrString(r.body)), ("truncated", .bool(r.truncated)), ("url", .string(url)),
                ]))]
            case .failure(let e):
                throw ctx.error(e, extra: [("url", .string(url))])
            }
        }
        return [
            ctx.gatedRead(get, scope: { try host(try $0.string(0)) }) { try call("GET", $0) },
            ctx.gatedRead(head, scope: { try host(try $0.string(0)) }) { try call("HEAD", $0) },
        ]
    }
}
